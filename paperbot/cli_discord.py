"""`paperbot discord ...`: one-off Discord steps. Syncing the command definitions is a deliberate
CLI step (run it after installing or upgrading), not something the bot does on every start:
Discord rate-limits command uploads, and global changes take a while to reach every client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from paperbot.context import CliContext

if TYPE_CHECKING:
    from bots.discord.settings import DiscordSettings

# discord.py (with aiohttp and asyncio under it) loads in the commands below, not for --help.


def _prepare(ctx: click.Context) -> tuple[str, DiscordSettings]:
    from paperbot.discord_runner import discord_settings, discord_token, point_at

    obj: CliContext = ctx.obj
    settings = discord_settings(obj.config)
    point_at(settings)
    return discord_token(), settings


def _fail(exc: Exception) -> click.ClickException:
    import discord

    if isinstance(exc, discord.LoginFailure):
        return click.ClickException("Discord rejected DISCORD_TOKEN (is it the bot token?)")
    return click.ClickException(f"Discord error: {exc}")


@click.group("discord")
def discord_group() -> None:
    """Discord bot setup: sync the /papers commands, print the invite link."""


@discord_group.command("sync")
@click.option("--guild", "guild_id", type=int, default=None, help="Sync to one server (instant).")
@click.option("--clear", is_flag=True, help="With --guild: remove that server's copy instead.")
@click.pass_context
def sync(ctx: click.Context, guild_id: int | None, clear: bool) -> None:
    """Upload the /papers command definitions to Discord.

    Without --guild they are global (visible in every server and in DMs; Discord may take up to
    an hour to show changes); with --guild ID they appear in that server at once.
    """
    if clear and guild_id is None:
        raise click.UsageError("--clear needs --guild ID (global commands are replaced by sync)")
    import asyncio

    import discord

    from paperbot.discord_runner import sync_commands

    token, settings = _prepare(ctx)
    try:
        names = asyncio.run(sync_commands(token, settings, guild_id, clear))
    except (discord.HTTPException, discord.LoginFailure) as exc:
        raise _fail(exc) from None
    where = f"server {guild_id}" if guild_id else "all servers and DMs (global)"
    if clear:
        click.echo(f"Removed paperbot's commands from {where}.")
    else:
        click.echo(f"Synced /{', /'.join(names)} to {where}.")


@discord_group.command("invite")
@click.pass_context
def invite(ctx: click.Context) -> None:
    """Print the link that adds the bot to a server, with the permissions it needs."""
    import asyncio

    import discord

    from paperbot.discord_runner import invite_url

    token, settings = _prepare(ctx)
    try:
        url = asyncio.run(invite_url(token, settings))
    except (discord.HTTPException, discord.LoginFailure) as exc:
        raise _fail(exc) from None
    click.echo(url)


def register(cli: click.Group) -> None:
    cli.add_command(discord_group)
