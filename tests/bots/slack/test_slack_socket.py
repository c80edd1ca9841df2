"""The Socket Mode watchdog's decisions, with a scripted client and no sockets or sleeps."""

from __future__ import annotations

from bots.slack.socket import Watchdog


class ScriptedClient:
    def __init__(self, connected: list[bool], fail_reconnects: int = 0) -> None:
        self.connected = connected
        self.fail_reconnects = fail_reconnects
        self.reconnects = 0

    def is_connected(self) -> bool:
        return self.connected.pop(0) if self.connected else True

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        self.reconnects += 1
        if self.fail_reconnects:
            self.fail_reconnects -= 1
            raise ConnectionError("network still down")


def test_a_healthy_session_is_left_alone() -> None:
    client = ScriptedClient([True, True, True])
    dog = Watchdog(client, failed_checks=2)
    assert [dog.check() for _ in range(3)] == [False, False, False]
    assert client.reconnects == 0


def test_a_silent_drop_is_reconnected_after_consecutive_failed_checks() -> None:
    client = ScriptedClient([False, True, False, False])
    dog = Watchdog(client, failed_checks=2)
    assert [dog.check() for _ in range(4)] == [False, False, False, True]
    assert client.reconnects == 1


def test_a_failed_reconnect_is_tried_again_on_the_next_check() -> None:
    client = ScriptedClient([False, False], fail_reconnects=1)
    dog = Watchdog(client, failed_checks=1)
    assert dog.check() and dog.check()
    assert client.reconnects == 2
    assert dog.check() is False  # connected again


def test_run_loop_checks_until_stopped() -> None:
    client = ScriptedClient([False, False])
    ticks: list[float] = []

    def sleep(seconds: float) -> bool:
        ticks.append(seconds)
        return len(ticks) > 3  # "stop was requested" on the fourth wait

    dog = Watchdog(client, interval=7.0, failed_checks=2, sleep=sleep)
    dog.run()
    assert ticks == [7.0] * 4
    assert client.reconnects == 1
