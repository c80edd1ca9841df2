"""Turning rows into domain objects and back. JSON columns hold lists; dates are ISO text."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def loads_list(text: str | None) -> tuple[str, ...]:
    if not text or text == "[]":  # most authors/urls columns: skip the JSON parser
        return ()
    value = json.loads(text)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def parse_date(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def parse_datetime(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
