"""Checking one config.toml section against the dataclass its keys map onto.

Why a module of its own: paperbot/config.py says what the sections are; this says what a
mistake in one looks like. A key the dataclass has no field for is an error naming the key and
its section, with the close match when there is one (`grace_minuts` -> `grace_minutes`); a value
is checked against the type of the field's default, so the default is the only place a knob's
type and value are written.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from recommender.domain import InvalidInputError

# The type of a field's default -> how the value must be written in TOML, for the message.
KINDS: tuple[tuple[type, str], ...] = (
    (bool, "true or false"),  # before int: a bool is an int to Python, not to TOML
    (int, "a whole number"),
    (float, "a number"),
    (str, "a string"),
    (tuple, "a list of strings"),
    (frozenset, "a list of strings"),
)


def unknown_name(where: str, kind: str, label: str, name: str, known: Iterable[str]) -> str:
    """`config.toml: unknown key [schedule] grace_minuts (did you mean grace_minutes?)`."""
    known = sorted(known)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        hint = f"[{close[0]}]" if kind == "section" else close[0]
        return f"{where}: unknown {kind} {label} (did you mean {hint}?)"
    return f"{where}: unknown {kind} {label} (known: {', '.join(known)})"


def check_section(
    where: str,
    section: str,
    raw: Mapping[str, Any],
    cls: type[Any],
    skip: Iterable[str] = (),
) -> dict[str, Any]:
    """`raw` ([section] as TOML read it) as keyword arguments for `cls`: every key a field of
    `cls` (other than `skip`), every value of its default's type (a whole number is also a
    number, a list of strings becomes a tuple or frozenset). InvalidInputError otherwise."""
    left_out = set(skip)
    defaults = {f.name: _default(f) for f in dataclasses.fields(cls) if f.name not in left_out}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in defaults:
            label = f"[{section}] {key}"
            raise InvalidInputError(unknown_name(where, "key", label, key, defaults))
        values[key] = _typed(section, key, value, defaults[key])
    return values


def _default(f: dataclasses.Field[Any]) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    raise TypeError(f"config field {f.name} needs a default")


def _typed(section: str, key: str, value: Any, default: Any) -> Any:
    kind = next(((t, text) for t, text in KINDS if isinstance(default, t)), None)
    if kind is None:
        raise TypeError(f"[{section}] {key}: no config type for a default of {default!r}")
    wanted, text = kind
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if wanted is bool and isinstance(value, bool):
        return value
    if wanted is int and is_number and isinstance(value, int):
        return value
    if wanted is float and is_number:
        return float(value)
    if wanted is str and isinstance(value, str):
        return value
    strings = isinstance(value, list) and all(isinstance(item, str) for item in value)
    if wanted in (tuple, frozenset) and strings:
        return wanted(value)
    raise InvalidInputError(f"[{section}] {key} must be {text}, not {_toml(value)}")


def _toml(value: Any) -> str:
    """`value` as it was written in the file: "five", true, [1, 2]."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)
