"""config.toml as one typed value, read and checked once by `load_config`.

Why checked here and nowhere else: every command (`stats`, `train`, `serve`, ...) starts from
`load_config`, so a bad config is refused by all of them alike, with the same one-line message,
before anything runs. Every section is a frozen dataclass whose field defaults are the only
defaults of its knobs; `[model]`, `[picks]` and `[discord]` are the model's and the adapter's own
settings classes (their validation kept), `[slack]` keeps its keys until the tokens arrive from
the environment at `serve`. Unknown sections and keys are errors that name the key and suggest
the close match; a value of the wrong type is an error that names the type wanted.

Paths resolve relative to the config file, never the working directory, so
`paperbot --config /srv/paperbot/config.toml serve` works from anywhere. This module stays light
(no numpy, no SQLite): `paperbot --help` passes through it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bots.discord.settings import DiscordSettings
from bots.slack.settings import SlackSettings
from engine import schedule
from engine.settings import ServiceSettings
from paperbot.config_check import check_section, unknown_name
from recommender.domain import InvalidInputError
from recommender.settings import ModelSettings, PickSettings

if TYPE_CHECKING:  # storage.users imports sqlite_utils (~0.3 s)
    from storage.users import UserDefaults

DEFAULT_CONFIG = Path("config.toml")
SLACK_TOKENS = ("bot_token", "signing_secret", "app_token")  # from the environment only


@dataclass(frozen=True, slots=True)
class DatabaseSection:
    path: str = "paperbot.db"
    model_dir: str = ""  # empty: `<database name>-models` next to the database


@dataclass(frozen=True, slots=True)
class SourcesSection:
    """What `serve` ingests on its schedule; the cron fields are in [schedule] timezone."""

    hf_daily: bool = True
    arxiv_categories: tuple[str, ...] = ()
    lookback_days: int = 2  # each scheduled ingest also re-reads the last N days
    ingest_cron: str = "0 6 * * *"  # empty: no ingest job
    retrain_cron: str = "30 2 * * *"  # empty: no nightly retrain

    def __post_init__(self) -> None:
        if self.lookback_days < 1:
            raise InvalidInputError("[sources] lookback_days must be at least 1")


@dataclass(frozen=True, slots=True)
class ScheduleSection:
    """Defaults for new users, the catch-up window and the delivery tick."""

    timezone: str = "UTC"
    send_time: str = "09:00"
    weekdays: str = "weekdays"  # "weekdays", "daily" or e.g. "mon,wed,fri"
    grace_minutes: float = 180.0
    empty_day: str = "skip"  # "skip" or "note"
    tick_seconds: int = 60

    def __post_init__(self) -> None:
        for name, parse in (
            ("timezone", schedule.parse_timezone),
            ("send_time", schedule.parse_send_time),
            ("weekdays", schedule.parse_days),
        ):
            try:
                parse(getattr(self, name))
            except InvalidInputError as exc:
                raise InvalidInputError(f"[schedule] {name}: {exc}") from None
        ServiceSettings(grace=self.grace, empty_day=self.empty_day)  # its checks of the two

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)


@dataclass(frozen=True)
class SlackSection:
    """[slack] as written (keys, types and mode checked at load time); the tokens join it in
    `settings(environ)` at `serve`, since they come only from the environment."""

    given: tuple[tuple[str, Any], ...] = ()

    def settings(self, environ: Mapping[str, str]) -> SlackSettings:
        return SlackSettings.from_sources(dict(self.given), environ)


@dataclass(frozen=True, slots=True)
class AdminsSection:
    """[admins]; the Config keeps only its `users` (as `Config.admins`)."""

    users: frozenset[str] = frozenset()  # user_keys allowed to run `/papers admin ...`


@dataclass(frozen=True, slots=True)
class DemoSection:
    user: str = "console:demo"
    interests: tuple[str, ...] = ("large language models",)


@dataclass(frozen=True)
class Config:
    """The whole config file, typed. `db_override` is `--db`: it replaces [database] path."""

    path: Path | None = None
    database: DatabaseSection = field(default_factory=DatabaseSection)
    sources: SourcesSection = field(default_factory=SourcesSection)
    model: ModelSettings = field(default_factory=ModelSettings)
    picks: PickSettings = field(default_factory=PickSettings)
    schedule: ScheduleSection = field(default_factory=ScheduleSection)
    slack: SlackSection = field(default_factory=SlackSection)
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    admins: frozenset[str] = AdminsSection().users  # [admins] users
    demo: DemoSection = field(default_factory=DemoSection)
    db_override: Path | None = None

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def resolve(self, value: str | Path) -> Path:
        candidate = Path(value).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    @property
    def db_path(self) -> Path:
        if self.db_override is not None:
            return self.db_override
        return self.resolve(self.database.path)

    @property
    def model_dir(self) -> Path:
        if self.database.model_dir and self.db_override is None:
            return self.resolve(self.database.model_dir)
        # Keep a model next to the database it was trained from.
        return self.db_path.parent / f"{self.db_path.stem}-models"

    @property
    def user_defaults(self) -> UserDefaults:
        """What a new user starts with: [schedule] timezone, send_time, weekdays; [picks] k."""
        from storage.users import UserDefaults

        return UserDefaults(
            timezone=schedule.parse_timezone(self.schedule.timezone),
            send_time=schedule.parse_send_time(self.schedule.send_time),
            weekdays=schedule.parse_days(self.schedule.weekdays),
            picks_per_day=self.picks.k,
        )

    @property
    def service_settings(self) -> ServiceSettings:
        """[picks] window_days, [schedule] grace_minutes and empty_day for the service."""
        return ServiceSettings(
            window_days=self.picks.window_days,
            grace=self.schedule.grace,
            empty_day=self.schedule.empty_day,
        )


def _slack(values: dict[str, Any]) -> SlackSection:
    stand_ins = {"SLACK_BOT_TOKEN": "-", "SLACK_APP_TOKEN": "-", "SLACK_SIGNING_SECRET": "-"}
    SlackSettings.from_sources(values, stand_ins)  # mode and the rest; tokens wait for `serve`
    return SlackSection(tuple(values.items()))


def _validated(cls: type[ModelSettings] | type[PickSettings]) -> Callable[[dict[str, Any]], Any]:
    def build(values: dict[str, Any]) -> Any:
        settings = cls(**values)
        settings.validate()
        return settings

    return build


def _plain(cls: type[Any]) -> Callable[[dict[str, Any]], Any]:
    return lambda values: cls(**values)


@dataclass(frozen=True, slots=True)
class Section:
    """How one [section] is read: the dataclass whose fields are its keys (minus `skip`), and
    what builds the section's value from the checked keys."""

    fields_of: type[Any]
    build: Callable[[dict[str, Any]], Any]
    skip: tuple[str, ...] = ()


SECTIONS = {
    "database": Section(DatabaseSection, _plain(DatabaseSection)),
    "sources": Section(SourcesSection, _plain(SourcesSection)),
    "model": Section(ModelSettings, _validated(ModelSettings)),
    "picks": Section(PickSettings, _validated(PickSettings)),
    "schedule": Section(ScheduleSection, _plain(ScheduleSection)),
    "slack": Section(SlackSettings, _slack, skip=SLACK_TOKENS),
    "discord": Section(DiscordSettings, DiscordSettings.from_section),
    "admins": Section(AdminsSection, lambda values: AdminsSection(**values).users),
    "demo": Section(DemoSection, _plain(DemoSection)),
}


def parse_config(
    raw: Mapping[str, Any], path: Path | None = None, db: Path | None = None
) -> Config:
    """`raw` (a parsed TOML document) checked section by section into a Config."""
    where = path.name if path else "config"
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        section = SECTIONS.get(name)
        if section is None:
            raise InvalidInputError(unknown_name(where, "section", f"[{name}]", name, SECTIONS))
        if not isinstance(value, dict):
            raise InvalidInputError(f"{where}: {name} must be a section [{name}], not a value")
        values = check_section(where, name, value, section.fields_of, section.skip)
        sections[name] = section.build(values)
    return Config(path=path, db_override=db, **sections)


def load_config(path: Path | None, db: Path | None = None) -> Config:
    """Read `path` (or ./config.toml when it exists; built-in defaults otherwise) and check it:
    InvalidInputError, one line, for anything wrong in it."""
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
    return parse_config(raw, path, db.resolve() if db else None)
