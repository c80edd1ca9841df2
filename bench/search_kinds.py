"""Search latency per query kind, and how far the results moved from the ranking shipped
before (top-10 overlap), for bench_ingest.py (run through it, on the database it built).

    .venv/bin/python bench/bench_ingest.py --n 1000000 --db /tmp/bench1m.db   # build once
    .venv/bin/python bench/bench_ingest.py --db /tmp/bench1m.db               # reuse: search only

The targets (issue 13): p50 <= 10 ms and p99 <= 50 ms at 1M papers for every kind. Each kind is
timed twice over the same queries: the first pass reads the index from disk, the second is warm.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from storage.papers import PaperStore
from storage.search import build_match

LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Zhang", "Raman", "Becker", "Lin", "Okafor", "Müller"]
HOSTILE = ['"unbalanced', "c++", "rec-sys", "what's new?", "NEAR(", "*"]
# Ranked kinds that existed before the grammar grew; their results are compared with the
# ranking shipped before (REFERENCE_SQL). The others have no "before" to compare with.
COMPARED = ("rare word", "three words", "phrase", "author+word", "hostile", "no-hit AND")
KINDS = (*COMPARED, "exclude", "since+word", "sort:date", "since alone")
REFERENCE_SQL = (
    "SELECT papers.* FROM papers_fts "
    "JOIN papers ON papers.rowid = papers_fts.rowid WHERE papers_fts MATCH ? "
    "ORDER BY bm25(papers_fts, 10.0, 1.0, 3.0, 4.0) LIMIT 10"
)


def queries(words: list[str], rng: random.Random, count: int) -> list[tuple[str, str]]:
    """(kind, query) pairs, the kinds in turn. "Rare" words are ranks 200-5000 of the sample
    corpus's vocabulary; after stemming many of them still match a large share of papers."""
    common, rare = words[:200], words[200:5000]
    made = []
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        word = rng.choice(rare)
        query = {
            "rare word": word,
            "three words": " ".join([*rng.sample(common, 2), word]),
            "phrase": '"' + " ".join(rng.sample(common, 2)) + '"',
            "author+word": f"author:{rng.choice(LAST_NAMES)} {word}",
            "hostile": rng.choice(HOSTILE),
            "no-hit AND": f"{word} zzqxv{i}",
            "exclude": f"{word} -{rng.choice(common)}",
            "since+word": f"{word} since:2025-06",
            "sort:date": f"{word} sort:date",
            "since alone": f"since:2025-0{rng.randint(1, 9)}",
        }[kind]
        made.append((kind, query))
    return made


def reference(store: PaperStore, query: str) -> list[str]:
    """The shipped ranking before issue 13: FTS5's BM25 over every match, all terms, then any
    term, with the terms quoted as that search quoted them."""
    parsed = build_match(query)
    if parsed is None:
        return []
    terms = parsed.terms
    authors = [f"authors : {a.removesuffix('~3')}" for a in parsed.authors]
    tries = [" AND ".join(terms + authors)]
    if len(terms) > 1:
        tries.append(" AND ".join(["(" + " OR ".join(terms) + ")", *authors]))
    for match in tries:
        found = [r["paper_id"] for r in store.db.query(REFERENCE_SQL, [match])]
        if found:
            return found
    return []


def _mean(values: list[float]) -> str:
    return f"{statistics.mean(values):.2f}" if values else "n/a"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _ids(store: Any, query: str) -> list[Any]:
    return [p.paper_id for p in store.search(query, limit=10)]


def _timed(call: Callable[[], list[Any]]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def time_searches(store: PaperStore, words: list[str], rng: random.Random, count: int) -> None:
    """Print p50/p99 per kind (cold pass, warm pass), the overlap with the reference ranking,
    and the reference's own warm latency measured in the same run, as the bound's context."""
    started = time.perf_counter()
    store.update_search_index()
    took = time.perf_counter() - started
    print(f"search index: caught up with {store.count()} papers in {took:.1f} s")
    made = queries(words, rng, count)
    cold: dict[str, list[float]] = {k: [] for k in KINDS}
    warm: dict[str, list[float]] = {k: [] for k in KINDS}
    before: dict[str, list[float]] = {k: [] for k in COMPARED}
    overlap: dict[str, list[float]] = {k: [] for k in COMPARED}
    for passes in (cold, warm):
        for kind, query in made:
            ms, _ = _timed(partial(_ids, store, query))
            passes[kind].append(ms)
    for kind, query in made:
        if kind not in COMPARED:
            continue
        ours = {p.paper_id for p in store.search(query, limit=10)}
        ms, theirs = _timed(partial(reference, store, query))
        before[kind].append(ms)
        if theirs:
            overlap[kind].append(len(ours & set(theirs)) / len(theirs))
    every = [ms for values in warm.values() for ms in values]
    print(
        f"search over {store.count()} papers, {len(made)} queries (warm): "
        f"p50 {statistics.median(every):.1f} ms, p99 {percentile(every, 0.99):.1f} ms "
        f"(targets 10 / 50 ms: x{statistics.median(every) / 10:.2f} / "
        f"x{percentile(every, 0.99) / 50:.2f})"
    )
    for kind in KINDS:
        line = (
            f"  {kind:>12}: p50 {statistics.median(warm[kind]):6.1f} ms, "
            f"p99 {percentile(warm[kind], 0.99):6.1f} ms "
            f"(cold p99 {percentile(cold[kind], 0.99):6.1f})"
        )
        if kind in COMPARED:
            line += (
                f" | before: p50 {statistics.median(before[kind]):6.1f}, "
                f"p99 {percentile(before[kind], 0.99):6.1f}; top-10 overlap {_mean(overlap[kind])}"
            )
        print(line)
