"""paperbot.config: config.toml read and checked once, typed, with one default per knob.

Issue 12: [schedule] and [sources] were read as raw dicts, so `grace_minuts = 5` and a misspelt
`[pick]` section were silently ignored although the README says unknown keys are errors;
`[picks] k = "five"` was a traceback; `stats` accepted a config that `train` rejected; and
[picks] k / window_days had their defaults written in two places.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import fields
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.settings import ServiceSettings
from paperbot.cli import cli
from paperbot.config import SECTIONS, Config, load_config, parse_config
from recommender.domain import InvalidInputError
from recommender.settings import PickSettings
from storage.users import UserDefaults

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(InvalidInputError) as caught:
        load_config(write(tmp_path, text))
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_the_shipped_config_loads_cleanly() -> None:
    config = load_config(REPO / "config.toml")
    shipped = tomllib.loads((REPO / "config.toml").read_text(encoding="utf-8"))
    assert config.picks.k == shipped["picks"]["k"]
    assert config.schedule.grace_minutes == shipped["schedule"]["grace_minutes"]
    assert config.sources.arxiv_categories == tuple(shipped["sources"]["arxiv_categories"])
    assert config.admins == frozenset(shipped["admins"]["users"])
    assert config.demo.interests == tuple(shipped["demo"]["interests"])
    assert config.model_dir == REPO / "models"


def toml_examples() -> list[tuple[str, str]]:
    blocks = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = doc.read_text(encoding="utf-8")
        for number, match in enumerate(re.finditer(r"```toml\n(.*?)```", text, re.DOTALL)):
            blocks.append((f"{doc.name}#{number}", textwrap.dedent(match.group(1))))
    return blocks


@pytest.mark.parametrize(("where", "text"), toml_examples(), ids=[w for w, _ in toml_examples()])
def test_the_example_configs_in_the_docs_load_cleanly(
    where: str, text: str, tmp_path: Path
) -> None:
    load_config(write(tmp_path, text))


def test_the_readme_reference_lists_every_section_and_key() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    reference = text.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]
    listed: dict[str, set[str]] = {}
    section = ""
    for line in reference.splitlines():
        cells = [cell.strip() for cell in line.split("|")[1:-1]]
        if len(cells) < 2:
            continue
        named = re.fullmatch(r"`\[(\w+)\]`", cells[0])
        section = named.group(1) if named else section
        listed.setdefault(section, set()).update(re.findall(r"`(\w+)`", cells[1]))
    listed.pop("", None)
    assert set(listed) == set(SECTIONS)
    for name, keys in listed.items():
        known = {f.name for f in fields(SECTIONS[name].fields_of)} - set(SECTIONS[name].skip)
        assert keys == known, (name, keys ^ known)


def test_a_misspelt_key_is_an_error_with_the_close_match() -> None:
    """The bug: `grace_minuts = 5` was ignored and the 180-minute default used."""
    with pytest.raises(InvalidInputError) as caught:
        parse_config({"schedule": {"grace_minuts": 5}}, Path("/srv/config.toml"))
    assert str(caught.value) == (
        "config.toml: unknown key [schedule] grace_minuts (did you mean grace_minutes?)"
    )


def test_a_misspelt_section_is_an_error_with_the_close_match(tmp_path: Path) -> None:
    """The bug: a `[pick]` section was ignored, and every user got the default k."""
    message = refused(tmp_path, "[pick]\nk = 3\n")
    assert message == "config.toml: unknown section [pick] (did you mean [picks]?)"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[sources]\nlookback_day = 3", "[sources] lookback_day (did you mean lookback_days?)"),
        ("[database]\npth = 'x.db'", "unknown key [database] pth (did you mean path?)"),
        ("[model]\nepoch = 10", "unknown key [model] epoch (did you mean epochs?)"),
        ("[slack]\nmod = 'http'", "unknown key [slack] mod (did you mean mode?)"),
        ("[slack]\nbot_token = 'xoxb-1'", "unknown key [slack] bot_token (known: "),
        ("[discord]\ndelivery_second = 5", "(did you mean delivery_seconds?)"),
        ("[admins]\nuser = ['a']", "unknown key [admins] user (did you mean users?)"),
        ("[demo]\ninterest = ['rlhf']", "unknown key [demo] interest (did you mean interests?)"),
        ("[schedule]\nzzz = 1", "unknown key [schedule] zzz (known: empty_day, grace_minutes, "),
        ("[nonsense]\nk = 1", "unknown section [nonsense] (known: admins, database, "),
        ("picks = 5", "picks must be a section [picks], not a value"),
    ],
)
def test_unknown_keys_in_every_section_are_errors(tmp_path: Path, text: str, message: str) -> None:
    assert message in refused(tmp_path, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[picks]\nk = "five"', '[picks] k must be a whole number, not "five"'),
        ("[picks]\nk = 5.5", "[picks] k must be a whole number, not 5.5"),
        ("[picks]\nexploration = 1", "[picks] exploration must be true or false, not 1"),
        ("[model]\nepochs = true", "[model] epochs must be a whole number, not true"),
        (
            '[schedule]\ngrace_minutes = "soon"',
            '[schedule] grace_minutes must be a number, not "soon"',
        ),
        ('[sources]\nhf_daily = "yes"', '[sources] hf_daily must be true or false, not "yes"'),
        (
            '[sources]\narxiv_categories = "cs.LG"',
            '[sources] arxiv_categories must be a list of strings, not "cs.LG"',
        ),
        ("[admins]\nusers = [1]", "[admins] users must be a list of strings, not [1]"),
        ('[slack]\nhttp_port = "3000"', '[slack] http_port must be a whole number, not "3000"'),
        (
            '[discord]\ndelivery_seconds = "often"',
            '[discord] delivery_seconds must be a number, not "often"',
        ),
        ("[demo]\nuser = {name = 'x'}", '[demo] user must be a string, not {"name": "x"}'),
    ],
)
def test_a_wrong_type_is_a_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    """The bug: `[picks] k = "five"` was a ValueError traceback from int("five")."""
    assert refused(tmp_path, text) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[picks]\nk = 0", "[picks] k must be between 1 and 50"),
        ("[model]\nloss = 'hinge'", "[model] loss must be one of"),
        ("[sources]\nlookback_days = 0", "[sources] lookback_days must be at least 1"),
        ("[schedule]\nempty_day = 'shout'", "[schedule] empty_day must be skip or note"),
        ("[schedule]\ngrace_minutes = -1", "[schedule] grace_minutes must be >= 0"),
        ("[schedule]\ntimezone = 'Mars/Base'", "[schedule] timezone: unknown timezone"),
        ("[schedule]\nsend_time = '25:00'", "[schedule] send_time: '25:00' is not a time"),
        (
            "[schedule]\nweekdays = 'sometimes'",
            "[schedule] weekdays: 'sometimes' is not a set of days",
        ),
        ("[slack]\nmode = 'pigeon'", "[slack] mode must be one of"),
        ("[discord]\ndelivery_seconds = 0", "[discord] delivery_seconds must be positive"),
    ],
)
def test_the_settings_classes_own_checks_run_at_load_time(
    tmp_path: Path, text: str, message: str
) -> None:
    assert refused(tmp_path, text).startswith(message)


@pytest.mark.parametrize(
    "text",
    [
        '[picks]\nk = "five"',
        "[schedule]\ngrace_minuts = 5",
        "[pick]\nk = 3",
        "[schedule]\ntimezone = 'Mars/Base'",
    ],
)
def test_stats_and_train_reject_the_same_bad_config_the_same_way(tmp_path: Path, text: str) -> None:
    """The bug: `stats` never built the service, so it ran on a config `train` refused."""
    db = tmp_path / "paperbot.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    assert runner.invoke(cli, ["--db", str(db), "stats"]).exit_code == 0
    bad = str(write(tmp_path, text))
    outputs = set()
    for command in (["stats"], ["train"], ["picks", "ada"], ["users", "list"]):
        result = runner.invoke(cli, ["--config", bad, "--db", str(db), *command])
        assert result.exit_code == 2, (command, result.output)
        assert result.output.startswith("Error: "), result.output
        assert result.output.count("\n") == 1, result.output
        outputs.add(result.output)
    assert len(outputs) == 1, outputs


def test_k_and_window_days_have_one_default() -> None:
    """The bug: wiring.py wrote `picks.get("k", 5)` and `picks.get("window_days", 7)` beside
    PickSettings' own defaults; the config now hands out PickSettings' values everywhere."""
    default = PickSettings()
    for config in (Config(), parse_config({}), parse_config({"picks": {}, "schedule": {}})):
        assert config.picks == default
        assert config.user_defaults.picks_per_day == default.k
        assert config.service_settings.window_days == default.window_days
    # The storage and engine fallbacks (used without a config) agree with it.
    assert UserDefaults().picks_per_day == default.k
    assert ServiceSettings().window_days == default.window_days


def test_picks_and_schedule_reach_the_user_defaults_and_the_service() -> None:
    config = parse_config(
        {
            "picks": {"k": 3, "window_days": 2},
            "schedule": {"timezone": "Europe/Berlin", "send_time": "8:30", "weekdays": "daily"},
        }
    )
    defaults = config.user_defaults
    assert (defaults.timezone, defaults.send_time.isoformat(), len(defaults.weekdays)) == (
        "Europe/Berlin",
        "08:30:00",
        7,
    )
    assert defaults.picks_per_day == 3
    grace_only = parse_config({"schedule": {"grace_minutes": 5, "empty_day": "note"}})
    settings = grace_only.service_settings
    assert (settings.grace, settings.empty_day) == (timedelta(minutes=5), "note")
    assert parse_config({"picks": {"window_days": 2}}).service_settings.window_days == 2


def test_paths_resolve_relative_to_the_config_file(tmp_path: Path) -> None:
    path = write(tmp_path, '[database]\npath = "data/bot.db"\nmodel_dir = "m"\n')
    config = load_config(path)
    assert (config.db_path, config.model_dir) == (tmp_path / "data/bot.db", tmp_path / "m")
    override = load_config(path, db=tmp_path / "other.db")
    assert override.db_path == tmp_path / "other.db"
    assert override.model_dir == tmp_path / "other-models"  # the model stays with its database
    bare = load_config(write(tmp_path, "[database]\npath = 'x.db'\n"))
    assert bare.model_dir == tmp_path / "x-models"


def test_slack_tokens_come_from_the_environment_at_serve_time(tmp_path: Path) -> None:
    """[slack] is checked at load time (no tokens needed for `stats`); the tokens join it only
    when the adapter starts."""
    config = load_config(write(tmp_path, "[slack]\nmode = 'http'\nhttp_port = 8080\n"))
    settings = config.slack.settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"})
    assert (settings.mode, settings.http_port, settings.bot_token) == ("http", 8080, "xoxb-1")
    with pytest.raises(InvalidInputError, match="SLACK_BOT_TOKEN is not set"):
        config.slack.settings({})


def test_loading_a_config_imports_nothing_heavy() -> None:
    """`paperbot --help` passes through load_config; it must not pay for numpy or SQLite."""
    code = (
        "import sys; from paperbot.config import load_config; "
        f"load_config(__import__('pathlib').Path({str(REPO / 'config.toml')!r})); "
        "heavy = ('numpy', 'scipy', 'sklearn', 'lightfm', 'implicit', 'sqlite_utils'); "
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.strip() == ""
