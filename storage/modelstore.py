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
import re
import secrets
import tempfile
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.ranker import HybridRanker
from recommender.state import CorruptModelError, from_state, to_state, without_reader

log = logging.getLogger(__name__)

POINTER = "CURRENT"
KEEP_VERSIONS = 3
VERSION = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,63}")  # a file name part, never a path


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
        self._warned: str | None = None

    def _new_version(self) -> str:
        return self._clock().strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)

    def save(self, ranker: HybridRanker) -> str:
        """Write `ranker` as a new version, make it current, prune old versions; returns the
        version (also set on the ranker)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._clear_pointer()
        version = self._new_version()
        ranker.version = version
        arrays, meta = to_state(ranker)
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
        """Cheap (one small file read): lets long-running processes notice a new model. None,
        with one warning per distinct problem, when CURRENT is unreadable or names no version
        (not UTF-8, a directory, a path)."""
        pointer = self.dir / POINTER
        try:
            text = pointer.read_bytes().decode("utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except UnicodeDecodeError:
            self._warn(f"{pointer} is not UTF-8 text; ranking by content until the next train")
            return None
        except OSError as exc:
            self._warn(f"cannot read {pointer} ({exc.strerror}); ranking by content")
            return None
        if text and not VERSION.fullmatch(text):
            self._warn(f"{pointer} names no model version ({text[:40]!r}); ranking by content")
            return None
        return text or None

    def _warn(self, message: str) -> None:
        """Log `message` once: CURRENT is read on every ranking call, a warning is not."""
        if message != self._warned:
            log.warning("%s", message)
            self._warned = message

    def load(self) -> HybridRanker | None:
        """The current model, or None with one warning saying why (missing, unreadable, not
        the arrays and metadata a model has); callers then rank by content."""
        version = self.current_version()
        if version is None:
            log.info("no trained model in %s; ranking by content and trend", self.dir)
            return None
        try:
            return from_state(self._arrays(version), self._meta(version))
        except FileNotFoundError as exc:
            reason = f"is missing a file ({exc.filename})"
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            reason = f"is unreadable ({exc})"
        except CorruptModelError as exc:
            reason = f"is corrupt ({exc})"
        self._warn(f"model {version} {reason}; falling back to content")
        return None

    def _meta(self, version: str) -> dict[str, Any]:
        meta = json.loads((self.dir / f"model-{version}.json").read_text(encoding="utf-8"))
        if not isinstance(meta, dict):
            raise CorruptModelError(f"metadata is {type(meta).__name__}, not an object")
        return meta

    def _arrays(self, version: str) -> dict[str, np.ndarray]:
        loaded = np.load(self.dir / f"model-{version}.npz", allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise CorruptModelError("the .npz file is a single array, not a model archive")
        with loaded as data:
            return {name: data[name] for name in data.files}

    def forget(self, user_key: str) -> bool:
        """Rewrite the current model without `user_key` among its readers, and delete every
        older version (they still hold them): `forget-me` reaches the model files, not only the
        database. False when the model does not name them (nothing to rewrite)."""
        ranker = self.load()
        if ranker is None:
            return False
        if not ranker.items.reader_keys.size and ranker.items.readers.shape[1]:
            log.warning(
                "model %s predates reader keys: %s stays in it until the next retrain",
                ranker.version, user_key,
            )  # fmt: skip
            return False
        rewritten = without_reader(ranker, user_key)
        if rewritten is None:
            return False
        version = self.save(rewritten)
        for old in self.versions():
            if old != version:
                self._delete(old)
        return True

    def _delete(self, version: str) -> None:
        for suffix in (".npz", ".json"):
            (self.dir / f"model-{version}{suffix}").unlink(missing_ok=True)

    def _clear_pointer(self) -> None:
        """A CURRENT that is a directory (or anything but a file) would make every save fail:
        move it aside, so `paperbot train` repairs the folder instead of crashing."""
        pointer = self.dir / POINTER
        if pointer.is_symlink() or not pointer.exists() or pointer.is_file():
            return
        aside = self.dir / f"{POINTER}.broken-{secrets.token_hex(3)}"
        pointer.rename(aside)
        log.warning("%s was not a file; moved it to %s and wrote a new one", pointer, aside.name)

    def versions(self) -> list[str]:
        """Saved versions, oldest first (versions sort by time)."""
        return sorted(p.name[len("model-") : -len(".npz")] for p in self.dir.glob("model-*.npz"))

    def _prune(self, keep: str) -> None:
        old = [v for v in self.versions() if v != keep][: -(KEEP_VERSIONS - 1) or None]
        for version in old:
            self._delete(version)
