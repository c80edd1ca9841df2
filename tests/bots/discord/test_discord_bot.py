"""The real discord.py client against the fake Discord, over the real command layer and delivery
worker on in-memory repositories (tests/conftest.py's chat_world): the adapter's own behaviour
(deferring, rendering, buttons, reactions, error handling, half-sent DMs).
test_discord_e2e.py runs the same client over the real wiring and SQLite."""

from __future__ import annotations

import json
from datetime import date

from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.bot import PaperBot
from bots.discord.handlers import SORRY
from bots.discord.settings import DiscordSettings
from engine.delivery import DeliveryWorker
from recommender.domain import Delivery
from tests.bots.discord.conftest import fake_discord, run, running, until
from tests.bots.discord.fake_discord import APP_ID
from tests.conftest import World, chat_world

SETTINGS = DiscordSettings(delivery_seconds=3600, guild_ready_timeout=0.01)
USER = 4242
KEY = f"discord:{USER}"


def make_bot(world: World, worker: DeliveryWorker | None = None) -> PaperBot:
    return PaperBot(world.commands, worker, SETTINGS)


def known_world() -> World:
    """chat_world() with USER already subscribed, so no reply carries the first-contact offer."""
    world = chat_world()
    world.user(KEY)
    return world


def with_picks(
    world: World, *rows: tuple[str, tuple[str, ...]]
) -> tuple[DeliveryWorker, list[int]]:
    """The real delivery worker for Discord, with a pending row per (user_key, paper_ids)."""
    ids = []
    for user_key, paper_ids in rows:
        claimed = world.repos.ledger.claim(user_key, date(2025, 6, 9), paper_ids, world.clock())
        assert claimed is not None
        ids.append(claimed.delivery_id)
    return DeliveryWorker("discord", world.repos, world.service, world.clock), ids


def row(world: World, delivery_id: int) -> Delivery:
    return world.repos.ledger.rows[delivery_id]


def test_identify_asks_only_for_non_privileged_intents() -> None:
    async def scenario() -> None:
        async with fake_discord() as fake, running(make_bot(known_world()), fake):
            identify = next(f for f in fake.frames if f["op"] == 2)
            assert identify["d"]["token"] == "fake-token-not-a-secret"
            # guilds (1) | guild reactions (1 << 10) | DM reactions (1 << 13); nothing privileged
            assert identify["d"]["intents"] == 1 | 1 << 10 | 1 << 13

    run(scenario())


def test_guild_sync_uploads_the_papers_group_to_that_guild_only() -> None:
    async def scenario() -> None:
        async with fake_discord() as fake, running(make_bot(known_world()), fake) as bot:
            synced = await bot.sync_commands(guild_id=777)
            assert [c.name for c in synced] == ["papers"]
            (put,) = fake.calls("PUT", r"/commands$")
            assert put.path.endswith("/guilds/777/commands")
            assert put.body[0]["name"] == "papers"

    run(scenario())


def test_export_reply_is_uploaded_as_a_json_file() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            payload = fake.command_interaction(USER, "export")
            await fake.dispatch("INTERACTION_CREATE", payload)
            await until(lambda: fake.calls("PATCH", "@original"), "the export reply")
            (edit,) = fake.calls("PATCH", "@original")
            assert edit.files == ["paperbot-export.json"]
            assert edit.body["content"].startswith("**Everything paperbot stores about you**\n")
            assert world.commands.texts == [(KEY, "export")]

    run(scenario())


def test_forget_me_asks_then_the_confirm_button_runs_it_for_the_clicker() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            await fake.dispatch("INTERACTION_CREATE", fake.command_interaction(USER, "forget-me"))
            await until(lambda: fake.calls("PATCH", "@original"), "the question")
            question_id = fake.originals[next(iter(fake.originals))]
            button = fake.messages[question_id]["components"][0]["components"][0]
            assert button["custom_id"] == "confirm:forget-me confirm"
            click = fake.click(USER, question_id, button["custom_id"])
            await fake.dispatch("INTERACTION_CREATE", click)
            await until(lambda: len(fake.calls("PATCH", "@original")) == 2, "the answer")
            assert world.commands.texts[-1] == (KEY, "forget-me confirm")
            answer = fake.messages[question_id]
            assert answer["content"] == "🗑️ Done: everything paperbot stored about you is deleted."
            assert answer["components"] == []
            assert world.repos.users.get(KEY) is None

    run(scenario())


def test_a_crashing_command_gets_a_friendly_message_not_silence() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            world.commands.crash = True
            await fake.dispatch("INTERACTION_CREATE", fake.command_interaction(USER, "help"))
            await until(lambda: fake.calls("POST", r"/webhooks/"), "the apology")
            (apology,) = fake.calls("POST", r"/webhooks/")
            assert apology.body["content"] == SORRY
            assert apology.body["flags"] == 64

    run(scenario())


def test_a_failure_halfway_through_a_dm_removes_the_half_sent_messages() -> None:
    async def scenario() -> None:
        world = known_world()
        worker, (delivery_id,) = with_picks(world, (KEY, ("2509.00001", "2509.00002")))
        async with fake_discord() as fake:
            # header and first card go through; the second card is rejected with a plain 400
            error = {"message": "bad", "code": 0}
            fake.fail_next("POST", r"/channels/\d+/messages$", 400, error, after=2)
            async with running(make_bot(world, worker), fake):
                await until(lambda: row(world, delivery_id).attempts == 1, "the failed attempt")
            failed = row(world, delivery_id)
            assert failed.status == "pending" and "400" in (failed.error or "")
            assert len(fake.posted()) == 2  # header and first card were posted...
            assert len(fake.calls("DELETE", r"/messages/\d+$")) == 2
            assert fake.messages == {}  # ...and removed, so the retry leaves no half-copy

    run(scenario())


def test_other_emoji_and_reactions_on_unknown_messages_change_nothing() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            channel = fake._dm_channel(str(USER))["id"]
            msg = fake.store_message(channel, {"content": "not ours"})["id"]
            world.posted(KEY, ("555", "2509.00001"))
            pick = fake.store_message(channel, {"content": "pick"}, message_id="555")["id"]
            await fake.dispatch("MESSAGE_REACTION_ADD", fake.reaction(USER, msg, "👍"))
            await fake.dispatch("MESSAGE_REACTION_ADD", fake.reaction(USER, pick, "🎉"))
            await fake.dispatch("MESSAGE_REACTION_ADD", fake.reaction(USER, pick, "👎🏽"))
            await until(lambda: world.votes(KEY), "the skin-toned thumbs down")
            assert world.votes(KEY) == {"2509.00001": -1}
            assert len(world.repos.feedback.history_for(KEY)) == 1  # 👍 elsewhere and 🎉: nothing

    run(scenario())


def test_global_sync_and_removing_a_guild_copy() -> None:
    async def scenario() -> None:
        async with fake_discord() as fake, running(make_bot(known_world()), fake) as bot:
            await bot.sync_commands()
            await bot.sync_commands(777, clear=True)
            global_put, guild_put = fake.calls("PUT", r"/commands$")
            assert global_put.path == f"/api/v10/applications/{APP_ID}/commands"
            assert [c["name"] for c in global_put.body] == ["papers"]
            assert guild_put.path.endswith("/guilds/777/commands") and guild_put.body == []

    run(scenario())


def test_the_fake_leaves_discord_pointed_at_discord_com() -> None:
    async def scenario() -> None:
        async with fake_discord() as fake:
            assert fake.rest_base == Route.BASE

    run(scenario())
    assert Route.BASE == "https://discord.com/api/v10"
    assert str(DiscordWebSocket.DEFAULT_GATEWAY) == "wss://gateway.discord.gg/"


def test_a_refused_vote_is_explained_and_the_buttons_stay_as_they_were() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            channel = fake._dm_channel(str(USER))["id"]
            button = {
                "type": 2,
                "style": 2,
                "custom_id": "vote:up:2409.99999",
                "emoji": {"name": "👍"},
            }
            body = {"content": "old pick", "components": [{"type": 1, "components": [button]}]}
            message = fake.store_message(channel, body)
            await fake.dispatch(
                "INTERACTION_CREATE", fake.click(USER, message["id"], button["custom_id"])
            )
            await until(lambda: fake.calls("POST", r"/webhooks/"), "the explanation")
            (explanation,) = fake.calls("POST", r"/webhooks/")
            assert explanation.body["content"] == "I don't know the paper '2409.99999'"
            assert explanation.body["flags"] == 64
            assert fake.calls("PATCH", "@original") == []
            assert world.votes(KEY) == {}

    run(scenario())


def test_timezone_autocomplete_offers_matching_zones() -> None:
    async def scenario() -> None:
        async with fake_discord() as fake, running(make_bot(known_world()), fake):
            payload = fake.autocomplete(USER, "subscribe", "timezone", "berl")
            await fake.dispatch("INTERACTION_CREATE", payload)
            await until(lambda: fake.calls("POST", "/callback$"), "the choices")
            (answer,) = fake.calls("POST", "/callback$")
            assert answer.body["type"] == 8
            assert {"name": "Europe/Berlin", "value": "Europe/Berlin"} in answer.body["data"][
                "choices"
            ]

    run(scenario())


def test_voting_on_the_second_of_two_search_results_redraws_only_that_card() -> None:
    async def scenario() -> None:
        world = known_world()
        async with fake_discord() as fake, running(make_bot(world), fake):
            search = fake.command_interaction(USER, "search", query="retrieval")
            await fake.dispatch("INTERACTION_CREATE", search)
            await until(lambda: fake.calls("PATCH", "@original"), "the results")
            results_id = fake.originals[search["token"]]
            before = json.loads(json.dumps(fake.messages[results_id]))
            up_on_second = before["components"][1]["components"][0]["custom_id"]
            assert up_on_second == "vote:up:2509.00002"
            await fake.dispatch("INTERACTION_CREATE", fake.click(USER, results_id, up_on_second))
            await until(lambda: len(fake.calls("PATCH", "@original")) == 2, "the redraw")
            after = fake.messages[results_id]
            assert world.votes(KEY) == {"2509.00002": 1}
            styles = [[b["style"] for b in row["components"]] for row in after["components"]]
            assert styles == [[2, 2], [3, 2]]  # only the second card's 👍 is highlighted
            assert after["embeds"][0] == before["embeds"][0]
            assert after["embeds"][1]["title"] == "2. Retrieval for video diffusion"
            assert after["embeds"][1]["color"] != before["embeds"][1]["color"]

    run(scenario())


def test_a_429_asking_for_a_long_wait_postpones_one_user_not_the_run() -> None:
    async def scenario() -> None:
        world = known_world()
        world.user("discord:5151")
        worker, (first, second) = with_picks(
            world, (KEY, ("2509.00001",)), ("discord:5151", ("2509.00002",))
        )
        async with fake_discord() as fake:
            # longer than max_ratelimit_timeout (60 s): discord.py raises instead of sleeping
            fake.rate_limit_next("POST", r"/channels/\d+/messages$", retry_after=600)
            async with running(make_bot(world, worker), fake):
                await until(lambda: row(world, second).status == "sent", "the second user")
            postponed = row(world, first)
            assert postponed.status == "pending" and postponed.attempts == 1
            assert "rate limited" in (postponed.error or "")

    run(scenario())
