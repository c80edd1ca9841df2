"""`/papers` as a Discord app-command group with one subcommand per command-layer subcommand.

Discord wants typed options (so the client can show them), the command layer wants one line of
text; each subcommand here only turns its options back into that line (`search rlhf`,
`subscribe 08:30 Europe/Berlin weekdays`) and hands it to `answer_command`. Parsing, validation
and every rule stay in the command layer, the same for Slack, Discord and the console.

The group may be used in servers, in the bot's DMs and in group DMs (`allowed_contexts`).
"""

from __future__ import annotations

import asyncio
import zoneinfo
from typing import Literal, Protocol

import discord
from discord import app_commands

from bots.commands import CommandLayer
from bots.discord.handlers import answer_command
from recommender.domain import PaperbotError

_ZONES: list[str] = []


class NotConfigured(PaperbotError):
    """The bot was built without a command layer (only to sync the command definitions)."""


class HasCommands(Protocol):
    commands: CommandLayer | None


async def run(interaction: discord.Interaction, text: str) -> None:
    """Hand one command line to the command layer behind `interaction.client`."""
    client: HasCommands = interaction.client  # type: ignore[assignment]
    if client.commands is None:
        raise NotConfigured("this bot process only syncs commands")
    await answer_command(interaction, client.commands, text)


def _line(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p not in (None, ""))


async def timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Up to 25 IANA zone names containing what the user typed so far."""
    if not _ZONES:  # the first call walks the tz database: off the event loop
        _ZONES.extend(await asyncio.to_thread(lambda: sorted(zoneinfo.available_timezones())))
    needle = current.lower().replace(" ", "_")
    hits = [z for z in _ZONES if needle in z.lower()][:25]
    return [app_commands.Choice(name=z, value=z) for z in hits]


@app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)
@app_commands.allowed_installs(guilds=True, users=False)
class PapersGroup(app_commands.Group, name="papers", description="Research-paper picks"):
    interests = app_commands.Group(name="interests", description="What you want to read about")
    admin = app_commands.Group(name="admin", description="Admin tasks (admins only)")

    @app_commands.command(description="Search papers by words, title or arXiv id")
    @app_commands.describe(query="Words, a title or an arXiv id")
    async def search(self, interaction: discord.Interaction, query: str) -> None:
        await run(interaction, _line("search", query))

    @app_commands.command(description="Your picks, right now")
    async def picks(self, interaction: discord.Interaction) -> None:
        await run(interaction, "picks")

    @app_commands.command(description="Get daily picks by DM (time, timezone and days optional)")
    @app_commands.describe(
        time="Local send time, HH:MM",
        timezone="IANA timezone, e.g. Europe/Berlin",
        days="Weekdays only, or every day",
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    async def subscribe(
        self,
        interaction: discord.Interaction,
        time: str | None = None,
        timezone: str | None = None,
        days: Literal["weekdays", "daily"] | None = None,
    ) -> None:
        await run(interaction, _line("subscribe", time, timezone, days))

    @app_commands.command(description="Stop the daily DMs")
    async def unsubscribe(self, interaction: discord.Interaction) -> None:
        await run(interaction, "unsubscribe")

    @app_commands.command(description="Pause the daily DMs for a few days")
    @app_commands.describe(days="How many days (default: until you resume)")
    async def pause(
        self, interaction: discord.Interaction, days: app_commands.Range[int, 1, 365] | None = None
    ) -> None:
        await run(interaction, _line("pause", days))

    @app_commands.command(description="Resume the daily DMs")
    async def resume(self, interaction: discord.Interaction) -> None:
        await run(interaction, "resume")

    @interests.command(name="add", description="Add an interest")
    @app_commands.describe(text="A topic, e.g. retrieval-augmented generation")
    async def interests_add(self, interaction: discord.Interaction, text: str) -> None:
        await run(interaction, _line("interests add", text))

    @interests.command(name="remove", description="Remove an interest")
    @app_commands.describe(text="The interest to remove, as listed")
    async def interests_remove(self, interaction: discord.Interaction, text: str) -> None:
        await run(interaction, _line("interests remove", text))

    @interests.command(name="list", description="List your interests")
    async def interests_list(self, interaction: discord.Interaction) -> None:
        await run(interaction, "interests list")

    @app_commands.command(description="Papers you already like become 👍")
    @app_commands.describe(papers="arXiv ids, arXiv or Hugging Face links, DOIs")
    async def like(self, interaction: discord.Interaction, papers: str) -> None:
        await run(interaction, _line("like", papers))

    @app_commands.command(description="Papers like this one")
    @app_commands.describe(paper="An arXiv id, a link or a title")
    async def similar(self, interaction: discord.Interaction, paper: str) -> None:
        await run(interaction, _line("similar", paper))

    @app_commands.command(description="Why this paper was picked for you")
    @app_commands.describe(paper="An arXiv id, a link or a title")
    async def why(self, interaction: discord.Interaction, paper: str) -> None:
        await run(interaction, _line("why", paper))

    @app_commands.command(description="Your settings")
    async def settings(self, interaction: discord.Interaction) -> None:
        await run(interaction, "settings")

    @app_commands.command(description="How many picks per day")
    @app_commands.describe(n="Papers per daily DM")
    async def k(self, interaction: discord.Interaction, n: app_commands.Range[int, 1, 20]) -> None:
        await run(interaction, _line("k", n))

    @app_commands.command(description="All your data as a JSON file")
    async def export(self, interaction: discord.Interaction) -> None:
        await run(interaction, "export")

    @app_commands.command(name="forget-me", description="Delete all your data (asks first)")
    async def forget_me(self, interaction: discord.Interaction) -> None:
        await run(interaction, "forget-me")

    @app_commands.command(name="help", description="What paperbot can do")
    async def help_(self, interaction: discord.Interaction) -> None:
        await run(interaction, "help")

    @admin.command(name="ingest", description="Fetch new papers now")
    async def admin_ingest(self, interaction: discord.Interaction) -> None:
        await run(interaction, "admin ingest")

    @admin.command(name="retrain", description="Retrain the model now")
    async def admin_retrain(self, interaction: discord.Interaction) -> None:
        await run(interaction, "admin retrain")

    @admin.command(name="stats", description="Usage and model statistics")
    async def admin_stats(self, interaction: discord.Interaction) -> None:
        await run(interaction, "admin stats")


def subcommand_lines() -> list[str]:
    """Every `/papers ...` path this group offers, e.g. `interests add` (for docs and tests)."""
    group = PapersGroup()
    paths = []
    for command in group.walk_commands():
        if isinstance(command, app_commands.Command):
            paths.append(command.qualified_name.removeprefix("papers "))
    return sorted(paths)
