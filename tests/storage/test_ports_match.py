"""The SQLite stores keep the engine's ports' signatures. mypy checks it too (paperbot/wiring.py
hands the typed stores to PaperService as a RepositorySet); this says which parameter drifted,
as `DeliveryStore.claim` once did with a `status` inserted before the port's `reasons`."""

from __future__ import annotations

import inspect

from engine.ports import DeliveryLedger, FeedbackRepository, PaperRepository, UserRepository
from storage.deliveries import DeliveryStore
from storage.feedback import FeedbackStore
from storage.papers import PaperStore
from storage.users import UserStore


def test_every_port_method_exists_with_the_ports_parameters_in_order() -> None:
    """A store may add trailing optional parameters, never reorder or insert one (a caller
    passing the port's arguments by position would fill the wrong one)."""
    pairs = [
        (DeliveryLedger, DeliveryStore),
        (FeedbackRepository, FeedbackStore),
        (PaperRepository, PaperStore),
        (UserRepository, UserStore),
    ]
    for port, store in pairs:
        for name, method in inspect.getmembers(port, inspect.isfunction):
            if name.startswith("_"):
                continue
            wanted = list(inspect.signature(method).parameters)
            params = inspect.signature(getattr(store, name)).parameters
            got = list(params)
            assert got[: len(wanted)] == wanted, f"{store.__name__}.{name}{got} vs {wanted}"
            extra = [params[p] for p in got[len(wanted) :]]
            assert all(p.default is not inspect.Parameter.empty for p in extra), name
