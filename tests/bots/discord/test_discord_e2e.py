"""End to end: the real discord.py client, the real wiring over a SQLite file, and the fake
Discord on 127.0.0.1. Each test asserts on database state and on what the fake received."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from bots.discord.bot import PaperBot
from bots.discord.render import picks_messages
from paperbot.cli import cli
from tests.bots.discord.conftest import TOKEN, fake_discord, run, running, until
from tests.bots.discord.fake_discord import APP_ID, FakeDiscord
from tests.bots.discord.world import NOW, World
from tests.logs import debug_log, leaks

READER = 4242
OTHER = 5151
ALL_SUBCOMMANDS = {
    "search", "picks", "subscribe", "unsubscribe", "pause", "resume", "interests add",
    "interests remove", "interests list", "like", "similar", "why", "settings", "k", "export",
    "forget-me", "help", "admin ingest", "admin retrain", "admin stats",
}  # fmt: skip


def subcommand_paths(options: list[dict[str, Any]], prefix: str = "") -> set[str]:
    paths: set[str] = set()
    for option in options:
        if option["type"] == 1:
            paths.add(prefix + option["name"])
        elif option["type"] == 2:
            paths |= subcommand_paths(option["options"], f"{option['name']} ")
    return paths


def card_messages(fake: FakeDiscord, world: World, user_id: int) -> dict[str, dict[str, Any]]:
    """paper id -> the DM message showing it, according to the ledger."""
    row = world.delivery(user_id)
    return dict(zip(row["paper_ids"], (fake.messages[m] for m in row["message_ids"]), strict=True))


def custom_id(message: dict[str, Any], index: int) -> str:
    return message["components"][0]["components"][index]["custom_id"]


async def delivered(fake: FakeDiscord, world: World, bot: PaperBot, user_id: int) -> None:
    async with running(bot, fake):
        await until(lambda: world.delivery(user_id)["status"] == "sent", "the daily DM")


@asynccontextmanager
async def reader_card(fake: FakeDiscord, world: World, index: int) -> AsyncIterator[tuple]:
    """With the bot running and READER's daily DM sent: (paper id, message) of card `index`."""
    async with running(world.bot(), fake):
        await until(lambda: world.delivery(READER)["status"] == "sent", "the DM")
        yield list(card_messages(fake, world, READER).items())[index]


def test_cli_sync_uploads_every_subcommand_and_a_normal_start_syncs_nothing(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake)
            args = ["--config", str(world.config.path), "discord", "sync", "--guild", "777"]
            result = await asyncio.to_thread(CliRunner().invoke, cli, args)
            assert result.exit_code == 0, result.output
            assert "server 777" in result.output
            (put,) = fake.calls("PUT", r"/commands$")
            assert put.path == f"/api/v10/applications/{APP_ID}/guilds/777/commands"
            assert put.authorization == f"Bot {TOKEN}"
            (papers,) = put.body
            assert papers["name"] == "papers"
            assert papers["contexts"] == [0, 1, 2]  # servers, the bot's DMs, group DMs
            assert subcommand_paths(papers["options"]) == ALL_SUBCOMMANDS
            assert TOKEN not in result.output

            async with running(world.bot(), fake):
                identify = next(f for f in fake.frames if f["op"] == 2)
                assert identify["d"]["intents"] == 1 | 1 << 10 | 1 << 13
            assert len(fake.calls("PUT", r"/commands$")) == 1  # on_ready synced nothing

    run(scenario())


def test_search_is_deferred_then_answered_with_vote_buttons(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake)
            async with running(world.bot(), fake):
                payload = fake.command_interaction(READER, "search", query="diffusion")
                await fake.dispatch("INTERACTION_CREATE", payload)
                await until(lambda: fake.calls("PATCH", "@original"), "the search answer")
            defer, edit = fake.calls("POST", "/callback$") + fake.calls("PATCH", "@original")
            assert fake.requests.index(defer) < fake.requests.index(edit)
            assert defer.body == {"type": 5, "data": {"flags": 64}}  # deferred, ephemeral
            titles = [e["title"] for e in edit.body["embeds"]]
            assert "A study of video diffusion models" in titles[0]
            buttons = [b["custom_id"] for r in edit.body["components"] for b in r["components"]]
            assert buttons[:2] == ["vote:up:2511.00002", "vote:down:2511.00002"]
            assert world.rows("SELECT user_key FROM users") == [{"user_key": f"discord:{READER}"}]

    run(scenario())


def test_first_contact_offers_subscribe_and_the_button_subscribes_the_clicker(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake)
            async with running(world.bot(), fake):
                await fake.dispatch("INTERACTION_CREATE", fake.command_interaction(OTHER, "help"))
                await until(lambda: fake.calls("PATCH", "@original"), "the welcome")
                assert world.rows("SELECT subscribed FROM users") == [{"subscribed": 0}]
                welcome_id = fake.originals[next(iter(fake.originals))]
                rows = fake.messages[welcome_id]["components"]
                (button,) = [b for r in rows for b in r["components"]]
                assert button["custom_id"].startswith("confirm:subscribe 09:00 ")
                await fake.dispatch(
                    "INTERACTION_CREATE", fake.click(OTHER, welcome_id, button["custom_id"])
                )
                await until(lambda: len(fake.calls("PATCH", "@original")) == 2, "the answer")
            assert world.rows("SELECT subscribed FROM users") == [{"subscribed": 1}]
            assert "Subscribed" in fake.messages[welcome_id]["content"]

    run(scenario())


def test_daily_picks_arrive_as_a_header_and_one_dm_per_paper(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            await delivered(fake, world, world.bot(), READER)
            row = world.delivery(READER)
            assert row["status"] == "sent" and len(row["paper_ids"]) == 5
            (dm,) = fake.calls("POST", "/users/@me/channels$")
            assert dm.body == {"recipient_id": READER}
            posts = fake.posted(row["channel_id"])
            assert len(posts) == 6
            assert posts[0].body["content"].startswith("**📚 Your paper picks for Tuesday")
            for paper_id, message in card_messages(fake, world, READER).items():
                assert custom_id(message, 0) == f"vote:up:{paper_id}"
                assert custom_id(message, 1) == f"vote:down:{paper_id}"
            mapped = world.rows("SELECT message_id, paper_id FROM delivery_messages")
            assert {m["paper_id"] for m in mapped} == set(row["paper_ids"])

    run(scenario())


def test_a_restarted_bot_handles_clicks_on_messages_it_never_sent(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            first = World.create(tmp_path, fake, users=(READER,))
            await delivered(fake, first, first.bot(), READER)
            posts_before = len(fake.posted())
            paper_id, message = list(card_messages(fake, first, READER).items())[1]

            second = World.reopen(tmp_path, fake)  # a new process: new wiring, new client
            async with running(second.bot(), fake):
                click = fake.click(READER, message["id"], custom_id(message, 1))
                await fake.dispatch("INTERACTION_CREATE", click)
                await until(lambda: second.votes(READER) == {paper_id: -1}, "the 👎")
                await until(lambda: len(fake.calls("PATCH", "@original")) == 1, "the update")
                down = fake.messages[message["id"]]["components"][0]["components"][1]
                assert down["style"] == 4  # shown as chosen (red)

                click = fake.click(READER, message["id"], custom_id(message, 0))
                await fake.dispatch("INTERACTION_CREATE", click)
                await until(lambda: second.votes(READER) == {paper_id: 1}, "the change to 👍")
                await fake.dispatch("INTERACTION_CREATE", click)  # Discord redelivers it
                await until(lambda: len(fake.calls("PATCH", "@original")) == 3, "the replay")
            assert second.history(READER) == [(paper_id, -1, "button"), (paper_id, 1, "button")]
            assert len(fake.posted()) == posts_before  # the restart re-sent nothing

    run(scenario())


def test_reaction_add_votes_and_remove_withdraws(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            async with reader_card(fake, world, 2) as (paper_id, message):
                reaction = fake.reaction(READER, message["id"], "👍")
                await fake.dispatch("MESSAGE_REACTION_ADD", reaction)
                await until(lambda: world.votes(READER) == {paper_id: 1}, "the reaction vote")
                await fake.dispatch("MESSAGE_REACTION_REMOVE", reaction)
                await until(lambda: world.votes(READER) == {}, "the withdrawal")
            assert world.history(READER) == [(paper_id, 1, "reaction"), (paper_id, 0, "reaction")]

    run(scenario())


def test_removing_an_old_reaction_keeps_a_vote_clicked_since(tmp_path: Path) -> None:
    """Regression: removing a 👍 reaction cleared the vote even after the user had clicked 👎.

    The removal changes nothing, so there is nothing to wait for; a 👎 reaction sent after it
    is, and whichever order the bot handles the two in, the vote must stay 👎."""

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            async with reader_card(fake, world, 0) as (paper_id, message):
                thumbs_up = fake.reaction(READER, message["id"], "👍")
                await fake.dispatch("MESSAGE_REACTION_ADD", thumbs_up)
                await until(lambda: world.votes(READER) == {paper_id: 1}, "the reaction vote")
                down = fake.click(READER, message["id"], custom_id(message, 1))
                await fake.dispatch("INTERACTION_CREATE", down)
                await until(lambda: world.votes(READER) == {paper_id: -1}, "the 👎 click")
                await fake.dispatch("MESSAGE_REACTION_REMOVE", thumbs_up)
                thumbs_down = fake.reaction(READER, message["id"], "👎🏻")
                await fake.dispatch("MESSAGE_REACTION_ADD", thumbs_down)
                await until(lambda: len(world.history(READER)) >= 3, "the 👎 reaction")
                assert world.votes(READER) == {paper_id: -1}
            assert world.history(READER) == [
                (paper_id, 1, "reaction"), (paper_id, -1, "button"), (paper_id, -1, "reaction")
            ]  # fmt: skip

    run(scenario())


def test_closed_dms_mark_the_user_without_stopping_the_run_and_they_are_told(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER, OTHER))
            fake.closed_dms.add(str(READER))
            async with running(world.bot(), fake):
                await until(lambda: world.delivery(OTHER)["status"] == "sent", "OTHER's DM")
                await until(lambda: world.delivery(READER)["status"] == "undeliverable", "mark")
                (user,) = world.rows(
                    "SELECT undeliverable FROM users WHERE user_key = ?", (f"discord:{READER}",)
                )
                assert "50007" in user["undeliverable"]

                await fake.dispatch("INTERACTION_CREATE", fake.command_interaction(READER, "help"))
                await until(lambda: fake.calls("PATCH", "@original"), "the reply")
            (reply,) = fake.calls("PATCH", "@original")
            assert "could not send you your daily picks" in reply.body["content"]
            assert world.rows("SELECT undeliverable FROM users WHERE user_key = ?",
                              (f"discord:{READER}",)) == [{"undeliverable": None}]  # fmt: skip

    run(scenario())


def test_a_429_is_waited_out_and_every_paper_is_delivered_exactly_once(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            fake.rate_limit_next("POST", r"/channels/\d+/messages$", retry_after=0.05, after=3)
            await delivered(fake, world, world.bot(), READER)
            attempts = fake.calls("POST", r"/channels/\d+/messages$")
            assert [a.status for a in attempts].count(429) == 1
            row = world.delivery(READER)
            assert row["attempts"] == 0 and len(row["message_ids"]) == 5
            shown = [
                b["custom_id"] for p in fake.posted() for r in p.body["components"]
                for b in r["components"] if b["custom_id"].startswith("vote:up:")
            ]  # fmt: skip
            assert sorted(shown) == sorted(f"vote:up:{p}" for p in row["paper_ids"])

    run(scenario())


def test_a_gateway_reconnect_does_not_resend_picks(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            bot = world.bot()
            async with running(bot, fake):
                await until(lambda: world.delivery(READER)["status"] == "sent", "the DM")
                posts = len(fake.posted())
                await fake.drop_gateway()
                await asyncio.wait_for(fake.resumed.wait(), timeout=15)
                assert bot.delivery is not None
                report = await bot.delivery.run_once()
                assert report.sent == 0
                assert world.wiring.service.plan_deliveries(world.wiring.clock()).claimed == ()
            assert len(fake.posted()) == posts
            assert any(f["op"] == 6 for f in fake.frames)  # it resumed the session

    run(scenario())


def post_as_if_sent(fake: FakeDiscord, world: World, user_id: int, count: int) -> None:
    """Claim the row (-> `sending`) and put the first `count` of its messages in the DM, the
    state a crash between the send and `mark_sent` leaves behind."""
    ((_, message),) = world.wiring.delivery_worker("discord").begin()
    channel = fake._dm_channel(str(user_id))["id"]
    for rendered in picks_messages(message)[:count]:
        body = {"content": rendered.content, "embeds": [e.to_dict() for e in rendered.embeds]}
        fake.store_message(channel, body)


def test_start_up_finds_picks_that_arrived_before_a_crash(tmp_path: Path) -> None:
    """On restart the bot looks in the DM, finds every pick, and marks the row sent instead of
    posting the picks twice."""

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            post_as_if_sent(fake, world, READER, count=6)
            async with running(world.bot(), fake):
                await until(lambda: world.delivery(READER)["status"] == "sent", "recovery")
            assert fake.posted() == []
            assert len(world.delivery(READER)["message_ids"]) == 5

    run(scenario())


def test_start_up_replaces_a_half_sent_dm_with_one_whole_copy(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            post_as_if_sent(fake, world, READER, count=3)  # header and two of five cards
            async with running(world.bot(), fake):
                await until(lambda: world.delivery(READER)["status"] == "sent", "the resend")
            assert len(fake.calls("DELETE", r"/messages/\d+$")) == 3
            assert len(fake.posted()) == 6
            assert len(fake.messages) == 6  # exactly one copy is left in the DM

    run(scenario())


def footer(message: dict[str, Any]) -> str:
    return str(message["embeds"][0].get("footer", {}).get("text", ""))


def test_team_digest_goes_to_its_channel_and_votes_there_count_for_each_member(
    tmp_path: Path,
) -> None:
    channel, digest = 777000000000000001, "discord:#777000000000000001"

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER, OTHER), digest=channel)
            async with running(world.bot(), fake):
                await until(lambda: world.delivery(digest)["status"] == "sent", "the digest")
                header = fake.posted(str(channel))[0].body
                assert header["content"].startswith("**📚 Team paper picks for")
                row = world.delivery(digest)
                first, second = (fake.messages[m] for m in row["message_ids"][:2])
                click = fake.click(OTHER, first["id"], custom_id(first, 0))
                await fake.dispatch("INTERACTION_CREATE", click)
                await until(lambda: world.votes(OTHER) == {row["paper_ids"][0]: 1}, "the click")
                await until(lambda: "👍 by 1 teammate" in footer(first), "the redrawn card")
                buttons = first["components"][0]["components"]
                assert all(b["style"] == 2 for b in buttons)  # nobody's vote highlighted
                told = rf"/webhooks/\d+/{click['token']}$"
                await until(lambda: fake.calls("POST", told), "the voter told privately")
                assert fake.calls("POST", told)[0].body["flags"] & 64  # ephemeral
                reaction = fake.reaction(READER, second["id"], "👍")
                await fake.dispatch("MESSAGE_REACTION_ADD", reaction)
                await until(lambda: world.votes(READER) == {row["paper_ids"][1]: 1}, "reaction")
                await until(lambda: "👍 by 1 teammate" in footer(second), "the redrawn card")
            assert world.votes(digest) == {}
            assert world.wiring.service.plan_deliveries(NOW).claimed == ()
            assert len(fake.posted(str(channel))) == 1 + len(row["paper_ids"])

    run(scenario())


def test_a_click_on_a_card_drawn_before_the_vote_changed_decides_from_the_stored_vote(
    tmp_path: Path,
) -> None:
    """Regression (issue 11.11): whether a click withdraws was read from the button colours of
    the clicked message, so a card still showing 👍 after the vote was withdrawn elsewhere (here:
    from another process, e.g. the terminal chat) recorded "no vote" when the reader clicked 👍
    again."""

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            async with reader_card(fake, world, 0) as (paper_id, message):
                up = custom_id(message, 0)
                await fake.dispatch("INTERACTION_CREATE", fake.click(READER, message["id"], up))
                await until(lambda: len(fake.calls("PATCH", "@original")) == 1, "the redraw")
                await until(lambda: world.votes(READER) == {paper_id: 1}, "the 👍")
                service = world.wiring.service
                await asyncio.to_thread(
                    service.vote, f"discord:{READER}", paper_id, 0, "command", NOW, None
                )
                assert fake.messages[message["id"]]["components"][0]["components"][0]["style"] == 3
                await fake.dispatch("INTERACTION_CREATE", fake.click(READER, message["id"], up))
                await until(lambda: len(world.history(READER)) == 3, "the second click")
                assert world.votes(READER) == {paper_id: 1}
                # ...and clicking the 👍 of the stored 👍 withdraws it, as before.
                await fake.dispatch("INTERACTION_CREATE", fake.click(READER, message["id"], up))
                await until(lambda: len(world.history(READER)) == 4, "the third click")
                assert world.votes(READER) == {}

    run(scenario())


def test_a_vote_on_someone_elses_card_counts_for_the_clicker_and_leaves_the_card_alone(
    tmp_path: Path,
) -> None:
    """Regression (issue 11.3): a click by OTHER on READER's DM card (forged, or the card seen
    in a shared place) was counted for OTHER, rightly, but then READER's message was redrawn
    showing OTHER's vote. Now the card stays as READER sees it and OTHER is told privately."""

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(READER,))
            async with reader_card(fake, world, 0) as (paper_id, message):
                before = json.loads(json.dumps(fake.messages[message["id"]]))
                click = fake.click(OTHER, message["id"], custom_id(message, 1))
                await fake.dispatch("INTERACTION_CREATE", click)
                told = rf"/webhooks/\d+/{click['token']}$"
                await until(lambda: fake.calls("POST", told), "the voter told privately")
                assert fake.calls("POST", told)[0].body["flags"] & 64  # ephemeral
                assert "👎" in fake.calls("POST", told)[0].body["content"]
                assert world.votes(OTHER) == {paper_id: -1}
                reaction = fake.reaction(OTHER, message["id"], "👍")
                await fake.dispatch("MESSAGE_REACTION_ADD", reaction)
                await until(lambda: world.votes(OTHER) == {paper_id: 1}, "the reaction")
                assert fake.calls("PATCH", rf"/{click['token']}/messages/@original") == []
                assert fake.messages[message["id"]] == before
                # The reaction's edit, had it made one, came right after its vote was stored;
                # a click by READER, sent after that, is answered later still.
                mine = fake.click(READER, message["id"], custom_id(message, 0))
                await fake.dispatch("INTERACTION_CREATE", mine)
                await until(lambda: fake.calls("PATCH", rf"/{mine['token']}/"), "READER's redraw")
                assert fake.calls("PATCH", rf"/channels/\d+/messages/{message['id']}$") == []
                assert world.votes(READER) == {paper_id: 1}
                assert world.votes(OTHER) == {paper_id: 1}

    run(scenario())


def test_interaction_tokens_never_reach_the_logs_even_at_debug(tmp_path: Path) -> None:
    """Regression (issue 11.2): at DEBUG discord.py logged every interaction's token (in the
    gateway event and in the `/interactions/<id>/<token>` and `/webhooks/<app>/<token>` routes):
    for 15 minutes, a way to answer as the bot in that conversation."""

    async def scenario() -> None:
        with debug_log() as log:
            async with fake_discord() as fake:
                world = World.create(tmp_path, fake, users=(READER,))
                async with reader_card(fake, world, 0) as (_paper_id, message):
                    click = fake.click(READER, message["id"], custom_id(message, 0))
                    await fake.dispatch("INTERACTION_CREATE", click)
                    await until(lambda: fake.calls("PATCH", click["token"]), "the redraw")
                    search = fake.command_interaction(READER, "search", query="retrieval")
                    await fake.dispatch("INTERACTION_CREATE", search)
                    await until(lambda: fake.calls("PATCH", search["token"]), "the answer")
        logged = log.getvalue()
        assert "/interactions/" in logged  # the routes were logged, tokens blanked
        assert leaks(logged, click["token"], search["token"], TOKEN) == []

    run(scenario())
