"""Loading config.toml. Paths resolve relative to the config file, never the working directory,
so `paperbot --config /srv/paperbot/config.toml serve` works from anywhere."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from recommender.domain import InvalidInputError

DEFAULT_CONFIG = Path("config.toml")


@dataclass(frozen=True)
class Config:
    path: Path | None
    raw: dict[str, Any] = field(default_factory=dict)
    db_override: Path | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        return dict(value) if isinstance(value, dict) else {}

    def resolve(self, value: str | Path) -> Path:
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def db_path(self) -> Path:
        if self.db_override is not None:
            return self.db_override
        return self.resolve(self.section("database").get("path", "paperbot.db"))

    @property
    def model_dir(self) -> Path:
        configured = self.section("database").get("model_dir")
        if configured and self.db_override is None:
            return self.resolve(configured)
        # Keep a model next to the database it was trained from.
        return self.db_path.parent / f"{self.db_path.stem}-models"

    @property
    def admins(self) -> frozenset[str]:
        return frozenset(str(u) for u in self.section("admins").get("users", []))


def load_config(path: Path | None, db: Path | None = None) -> Config:
    """Read `path` (or ./config.toml when it exists; built-in defaults otherwise)."""
    if path is None and DEFAULT_CONFIG.exists():
        path = DEFAULT_CONFIG
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise InvalidInputError(f"config file not found: {path}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise InvalidInputError(f"config file {path} is not valid TOML: {exc}") from exc
        path = Path(path).resolve()
    return Config(path=path, raw=raw, db_override=db.resolve() if db else None)
