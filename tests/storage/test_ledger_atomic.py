"""Issue 11.6: `sent` and the message -> paper rows are written in one transaction, and start-up
recovery maps the `sent` rows an older version left without them."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest

from engine.chat import SentMessage
from engine.delivery import DeliveryWorker
from engine.service import PaperService
from recommender.domain import Delivery, Paper
from storage.db import connect
from storage.repos import Repos, open_repos
from tests.fakes import FakeRanker

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
PAPERS = ["p1", "p2"]


@pytest.fixture
def repos(tmp_path) -> Repos:
    repos = open_repos(connect(tmp_path / "t.db"))
    repos.papers.upsert([Paper(paper_id=p, title=f"Paper {p}") for p in PAPERS], NOW)
    repos.users.ensure("console:a", "a", NOW)
    return repos


def _worker(repos: Repos) -> DeliveryWorker:
    ranker = FakeRanker()
    return DeliveryWorker("console", repos, PaperService(repos, lambda: ranker), lambda: NOW)


def _in_flight(repos: Repos, worker: DeliveryWorker) -> Delivery:
    row = repos.ledger.claim("console:a", date(2026, 11, 23), PAPERS, NOW)
    assert row is not None
    ((delivery, _),) = worker.begin(only=row)
    return delivery


def test_a_crash_while_mapping_messages_never_leaves_a_sent_row_without_them(repos: Repos) -> None:
    worker = _worker(repos)
    delivery = _in_flight(repos, worker)
    # The crash: the process dies while writing the message -> paper rows.
    repos.db.execute(
        "CREATE TRIGGER crash BEFORE INSERT ON delivery_messages BEGIN "
        "SELECT RAISE(ABORT, 'crash'); END"
    )
    sent = SentMessage("console:console:a", ("m1", "m2"))
    with pytest.raises(sqlite3.DatabaseError):
        worker.complete(delivery, sent, worker.message_for(delivery))
    stored = repos.ledger.get(delivery.delivery_id)
    assert stored is not None and stored.status == "sending"  # recovery settles it, not lost
    repos.db.execute("DROP TRIGGER crash")
    worker.complete(delivery, sent, worker.message_for(delivery))
    assert repos.ledger.paper_for_message("console", "m2") == ("console:a", "p2")


def test_recovery_maps_a_sent_row_an_older_version_left_without_messages(repos: Repos) -> None:
    worker = _worker(repos)
    delivery = _in_flight(repos, worker)
    repos.ledger.mark_sent(delivery.delivery_id, "dm", ["m1", "m2"], NOW)  # no pairs: old crash
    assert repos.ledger.paper_for_message("console", "m1") is None
    assert worker.recover() == 0
    assert repos.ledger.paper_for_message("console", "m1") == ("console:a", "p1")
    assert repos.ledger.paper_for_message("console", "m2") == ("console:a", "p2")
    assert repos.ledger.sent_unmapped("console") == []
