"""What every listener module shares: the ack half of a listener, and how it gets the command
layer (a provider, so the composition root can hand each worker thread its own connection)."""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import Ack

from bots.commands import CommandLayer

CommandsProvider = Callable[[], CommandLayer]


def acknowledge(ack: Ack) -> None:
    """The ack half of every listener: nothing but the empty 200 Slack waits for."""
    ack()
