"""`paperbot init | chat | serve | demo | train | picks`: the engine's commands.

`demo` is the README's first command: it loads the bundled corpus, creates the demo user with the
interests from config.toml [demo], trains, shows today's picks with their reasons, reacts to a
few and shows how the picks changed, all through the console adapter over the same command layer
Slack and Discord use.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

from bots.console.lineedit import edited_lines, history_path
from bots.console.render import render_card
from engine.cards import paper_card
from engine.chat import Requester
from paperbot.context import CliContext
from paperbot.progress import Progress
from recommender.domain import NotFoundError

if TYPE_CHECKING:
    from bots.console.chat import ChatSession
    from paperbot.wiring import Wiring

DEMO_REACTIONS = ("+1 1", "+1 2", "-1 3")


def user_key_for(name: str) -> str:
    """`anna` -> `console:anna`; a full user_key (`slack:T1:U2`) is kept as it is."""
    return name if ":" in name else f"console:{name}"


def _wiring(ctx: click.Context, create: bool = False) -> Wiring:
    """Built on demand: the model code it imports is slow to load, and `--help` needs none
    (the same goes for the command layer under the console chat: see `_chat_session`).
    Only `init` and `demo` (and `serve --create-db`) create a missing database."""
    from paperbot.app import build_app

    obj: CliContext = ctx.obj
    return build_app(obj.config, create=create).wiring


@click.command("init")
@click.option("--sample", is_flag=True, help="Also load the bundled sample corpus (409 papers).")
@click.pass_context
def init(ctx: click.Context, sample: bool) -> None:
    """Create the database (and apply migrations); optionally load the sample corpus."""
    wiring = _wiring(ctx, create=True)
    click.echo(f"Database ready: {wiring.config.db_path}")
    if sample:
        click.echo(wiring.load_sample())


def _chat_session(wiring: Wiring, requester: Requester, echo: bool) -> ChatSession:
    from bots.console.chat import ChatSession

    return ChatSession(wiring.commands, requester, click.echo, echo)


def _stdin_lines() -> Iterator[str]:
    yield from sys.stdin


@click.command("chat")
@click.option("--user", "name", default=None, help="Who you are (default: console:<login>).")
@click.pass_context
def chat(ctx: click.Context, name: str | None) -> None:
    """Talk to paperbot in the terminal: `/papers ...` commands, `+1 <n>` / `-1 <n>` reactions.

    On a terminal, lines can be edited and recalled (Up/Down, Ctrl-R), with the history kept in
    $XDG_DATA_HOME/paperbot/chat_history or ~/.paperbot_history. Reads commands from stdin when
    it is not a terminal, so a session can be scripted (and leaves no history):
    `printf '/papers search rlhf\\n+1 1\\n' | paperbot chat`."""
    wiring = _wiring(ctx)
    user_key = user_key_for(name or getpass.getuser())
    tty = sys.stdin.isatty()
    session = _chat_session(wiring, Requester(user_key, name or ""), echo=not tty)
    if tty:
        session.banner()
    session.run(edited_lines(history_path()) if tty else _stdin_lines())


@click.command("serve")
@click.option(
    "--only",
    type=click.Choice(["slack", "discord", "console"]),
    default=None,
    help="Serve one platform (split deployments). Default: every platform with a token set, "
    "or the console when none is.",
)
@click.option(
    "--no-jobs",
    "no_jobs",
    is_flag=True,
    help="Deliver only: plan and send this process's picks, but run no ingest or retrain jobs. "
    "For split deployments (`--only slack` and `--only discord` as two processes), give every "
    "process but one --no-jobs, so feeds are fetched and the model trained once.",
)
@click.option(
    "--create-db",
    "create_db",
    is_flag=True,
    help="Create the database when it does not exist yet (else: run `paperbot init` first).",
)
@click.pass_context
def serve_command(ctx: click.Context, only: str | None, no_jobs: bool, create_db: bool) -> None:
    """Run the scheduler and the chat platforms in one process until stopped."""
    from paperbot.serve import serve

    obj: CliContext = ctx.obj
    serve(obj.config, only=only, batch_jobs=not no_jobs, create_db=create_db)


@click.command("train")
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_context
def train(ctx: click.Context, quiet: bool) -> None:
    """Fit the model on every paper and vote now (the nightly job does this too)."""
    wiring = _wiring(ctx)
    with Progress(3, quiet) as progress:
        summary = wiring.train(stage=progress.stage)
    click.echo(summary)


@click.command("picks")
@click.argument("user")
@click.pass_context
def picks(ctx: click.Context, user: str) -> None:
    """Show USER's picks right now (USER: a user_key, or a console name)."""
    wiring = _wiring(ctx)
    result = wiring.service.picks_now(user_key_for(user), wiring.clock())
    if result.note:
        click.echo(result.note)
    if not result.picks:
        raise NotFoundError("no papers to pick from: run `paperbot init --sample`")
    for number, pick in enumerate(result.picks, start=1):
        click.echo(render_card(paper_card(pick.paper, pick.reason), number) + "\n")


def _step(number: int, text: str) -> None:
    click.secho(f"\n[{number}/5] {text}", bold=True)


@click.command("demo")
@click.pass_context
def demo(ctx: click.Context) -> None:
    """The whole product in a minute, in the terminal (`make demo`); creates its database."""
    wiring = _wiring(ctx, create=True)
    user_key = user_key_for(wiring.config.demo.user)
    interests = wiring.config.demo.interests
    _step(1, f"Database {wiring.config.db_path}")
    click.echo(wiring.load_sample())
    _step(2, f"Demo user {user_key} (reset), interests from config.toml [demo]")
    wiring.service.accounts.forget(user_key)
    session = _chat_session(wiring, Requester(user_key, "demo"), echo=True)
    session.run([f"/papers interests add {i}" for i in interests])
    _step(3, "Training the model")
    click.echo(wiring.train())
    _step(4, "Today's picks, with the reason for each")
    session.run(["/papers picks"])
    before = [c.paper_id for c in session.last_cards]
    _step(5, "Reacting 👍 👍 👎, then asking again")
    session.run([*DEMO_REACTIONS, "/papers picks"])
    after = {c.paper_id: c.title for c in session.last_cards}
    new = [title for pid, title in after.items() if pid not in before]
    click.secho("\nHow the picks changed:", bold=True)
    click.echo(f"  voted on and removed: {len(DEMO_REACTIONS)}; new picks: {len(new)}")
    for title in new:
        click.echo(f"  + {title}")
    click.echo("\nNext: `paperbot chat --user demo` to keep going, `paperbot serve` to run it.")


def register(cli: click.Group) -> None:
    for command in (init, chat, serve_command, train, picks, demo):
        cli.add_command(command)
