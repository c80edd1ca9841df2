"""The events a Discord user causes, as the gateway delivers them: a slash command, typing into
an autocompleted option, a button click (with the message it was on), a reaction. A mixin of
FakeDiscord, which holds the DM channels and messages these refer to."""

from __future__ import annotations

from typing import Any

APP_ID = "900000000000000001"
BOT_USER = {
    "id": APP_ID,
    "username": "paperbot",
    "discriminator": "0",
    "global_name": "paperbot",
    "avatar": None,
    "bot": True,
}


def user_payload(user_id: int, name: str = "reader") -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
    }


class UserActions:
    """Needs `new_id`, `_dm_channel`, `messages`, `originals` and `interaction_channels`."""

    messages: dict[str, dict[str, Any]]
    originals: dict[str, str]
    interaction_channels: dict[str, str]

    def new_id(self) -> str:
        raise NotImplementedError

    def _dm_channel(self, user_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def _interaction(self, kind: int, user_id: int, channel_id: str, data: dict) -> dict:
        interaction_id, token = self.new_id(), f"token-{self.new_id()}"
        self.interaction_channels[token] = channel_id
        return {
            "id": interaction_id,
            "application_id": APP_ID,
            "type": kind,
            "token": token,
            "version": 1,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 1},
            "user": user_payload(user_id),
            "data": data,
            "locale": "en-US",
            "app_permissions": "0",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10_485_760,
        }

    def command_interaction(
        self, user_id: int, subcommand: str, **options: str | int
    ) -> dict[str, Any]:
        """`/papers <subcommand> option=value ...` typed in the bot's DMs."""
        channel_id = self._dm_channel(str(user_id))["id"]
        typed = [
            {"name": k, "type": 4 if isinstance(v, int) else 3, "value": v}
            for k, v in options.items()
        ]
        data = {
            "id": self.new_id(),
            "name": "papers",
            "type": 1,
            "options": [{"name": subcommand, "type": 1, "options": typed}],
        }
        return self._interaction(2, user_id, channel_id, data)

    def autocomplete(self, user_id: int, subcommand: str, option: str, typed: str) -> dict:
        """The user is typing into `option` of `/papers <subcommand>`."""
        payload = self.command_interaction(user_id, subcommand)
        focused = {"name": option, "type": 3, "value": typed, "focused": True}
        payload["data"]["options"][0]["options"] = [focused]
        payload["type"] = 4
        return payload

    def click(self, user_id: int, message_id: str, custom_id: str) -> dict[str, Any]:
        """A button click on a message this fake holds (what Discord sends, message included)."""
        message = self.messages[message_id]
        data = {"custom_id": custom_id, "component_type": 2}
        payload = self._interaction(3, user_id, message["channel_id"], data)
        payload["message"] = message
        self.originals[payload["token"]] = message_id
        return payload

    def reaction(self, user_id: int, message_id: str, emoji: str) -> dict[str, Any]:
        return {
            "user_id": str(user_id),
            "channel_id": self.messages[message_id]["channel_id"],
            "message_id": message_id,
            "emoji": {"id": None, "name": emoji},
            "type": 0,
            "burst": False,
        }
