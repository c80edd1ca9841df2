"""One place to open every repository over one connection (a unit of work)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from storage.db import transaction
from storage.deliveries import DeliveryStore
from storage.feedback import FeedbackStore
from storage.meta import MetaStore
from storage.papers import PaperStore
from storage.users import UserDefaults, UserStore


@dataclass(frozen=True)
class Repos:
    db: Database
    papers: PaperStore
    users: UserStore
    feedback: FeedbackStore
    ledger: DeliveryStore
    meta: MetaStore

    def atomic(self) -> transaction:
        """One transaction around several repositories' writes (they nest inside it)."""
        return transaction(self.db)


def open_repos(db: Database, defaults: UserDefaults | None = None) -> Repos:
    return Repos(
        db=db,
        papers=PaperStore(db),
        users=UserStore(db, defaults),
        feedback=FeedbackStore(db),
        ledger=DeliveryStore(db),
        meta=MetaStore(db),
    )
