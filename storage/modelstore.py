"""The model file store: rankers saved as arrays (.npz, no pickle) + JSON metadata, versioned.

Layout of `dir`:
    model-<version>.npz   the arrays (np.savez, loaded with allow_pickle=False)
    model-<version>.json  metadata (kind, settings, counts)
    CURRENT               the version readers should load (one line)
Each file is written to a temporary file in the same folder and renamed with os.replace(), and
CURRENT is switched last, so a reader never sees half a model: it sees the old one or the new
one. `load()` returns None (and logs why) when there is no model or it is unreadable, so callers
fall back to `content_ranker` instead of crashing.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.ranker import HybridRanker
from recommender.state import CorruptModelError, from_state

log = logging.getLogger(__name__)

POINTER = "CURRENT"
KEEP_VERSIONS = 3


def _atomic_write(path: Path, write: Callable[[Any], None], mode: str = "wb") -> None:
    """Write via a temporary file in the same folder, fsync, then os.replace()."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode) as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class ModelStore:
    """Versioned model files in one folder; see the module docstring."""

    def __init__(self, directory: str | Path, clock: Callable[[], datetime] | None = None) -> None:
        self.dir = Path(directory)
        self._clock = clock or (lambda: datetime.now(UTC))

    def _new_version(self) -> str:
        return self._clock().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)

    def save(self, ranker: HybridRanker) -> str:
        """Write `ranker` as a new version, make it current, prune old versions; returns the
        version (also set on the ranker)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        version = self._new_version()
        ranker.version = version
        arrays, meta = ranker.to_state()
        meta = {**meta, "version": version, "saved_at": self._clock().isoformat()}
        _atomic_write(
            self.dir / f"model-{version}.npz", lambda f: np.savez(f, allow_pickle=False, **arrays)
        )
        _atomic_write(
            self.dir / f"model-{version}.json",
            lambda f: json.dump(meta, f, indent=1, sort_keys=True),
            mode="w",
        )
        _atomic_write(self.dir / POINTER, lambda f: f.write(version + "\n"), mode="w")
        self._prune(keep=version)
        log.info("saved model %s (%s papers, %s readers)", version, meta["papers"], meta["readers"])
        return version

    def current_version(self) -> str | None:
        """Cheap (one small file read): lets long-running processes notice a new model."""
        try:
            text = (self.dir / POINTER).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            log.warning("cannot read %s: %s", self.dir / POINTER, exc)
            return None
        return text or None

    def load(self) -> HybridRanker | None:
        """The current model, or None with a log line saying why (missing, unreadable, corrupt)."""
        version = self.current_version()
        if version is None:
            log.info("no trained model in %s; ranking by content and trend", self.dir)
            return None
        try:
            meta = json.loads((self.dir / f"model-{version}.json").read_text(encoding="utf-8"))
            with np.load(self.dir / f"model-{version}.npz", allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
            return from_state(arrays, meta)
        except FileNotFoundError as exc:
            log.warning("model %s is missing a file (%s); falling back to content", version, exc)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            log.warning("model %s is unreadable (%s); falling back to content", version, exc)
        except CorruptModelError as exc:
            log.warning("model %s is corrupt (%s); falling back to content", version, exc)
        return None

    def versions(self) -> list[str]:
        """Saved versions, oldest first (versions sort by time)."""
        return sorted(p.name[len("model-") : -len(".npz")] for p in self.dir.glob("model-*.npz"))

    def _prune(self, keep: str) -> None:
        old = [v for v in self.versions() if v != keep][: -(KEEP_VERSIONS - 1) or None]
        for version in old:
            for suffix in (".npz", ".json"):
                (self.dir / f"model-{version}{suffix}").unlink(missing_ok=True)
