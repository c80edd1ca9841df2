"""Benchmark (not a test): ingest N synthetic papers, then time searches over them.

    .venv/bin/python bench/bench_ingest.py            # 100,000 papers
    .venv/bin/python bench/bench_ingest.py --n 20000  # quicker

Prints papers/s for the first ingest and for an idempotent re-ingest, the process's peak memory
(resident set high-water mark, measured around the ingest only), the database size, and search
latency p50/p99 per query kind with the overlap of the results with the ranking shipped before
(bench/search_kinds.py). `--db PATH` keeps the database, and a later run with the same PATH only
times the searches: a 1M-paper build takes tens of minutes on a shared machine. Text is drawn
from the bundled sample corpus's vocabulary with a Zipf-like skew, so term frequencies resemble
real abstracts rather than uniform noise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_kinds import LAST_NAMES, time_searches  # noqa: E402
from paperbot.ingest import ingest_file, sample_bytes  # noqa: E402
from storage.db import connect  # noqa: E402
from storage.papers import PaperStore  # noqa: E402

NOW = datetime(2025, 9, 5, tzinfo=UTC)
FIRST_NAMES = ["Ada", "Alan", "Grace", "Wei", "Priya", "Jonas", "Mei", "Sofía", "Kenji", "Amara"]


def vocabulary() -> list[str]:
    """Words of the sample corpus, most frequent first."""
    counts: dict[str, int] = {}
    for line in sample_bytes().decode().splitlines():
        record = json.loads(line)
        for word in re.findall(
            r"[a-z][a-z\-]{2,}", (record["title"] + " " + record.get("abstract", "")).lower()
        ):
            counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=counts.__getitem__, reverse=True)


def write_corpus(path: Path, n: int, words: list[str], rng: random.Random) -> None:
    """Stream N papers in our JSONL schema; every 10th has an arXiv id, the rest a title hash."""
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    start = date(2024, 9, 5)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            title = " ".join(
                rng.choices(words, cum_weights=weights, k=rng.randint(5, 12))
            ).capitalize()
            record = {
                "title": f"{title} {i}",
                "abstract": " ".join(
                    rng.choices(words, cum_weights=weights, k=rng.randint(120, 220))
                ),
                "authors": [
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
                    for _ in range(rng.randint(1, 8))
                ],
                "keywords": rng.sample(words[:300], 4),
                "published": (start + timedelta(days=rng.randrange(365))).isoformat(),
                "upvotes": int(rng.paretovariate(1.5)) - 1,
                "urls": [f"https://example.org/p/{i}"],
            }
            if i % 10 == 0:
                record["arxiv_id"] = f"24{(i // 100000) % 10 + 10:02d}.{i % 100000:05d}"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--db",
        type=Path,
        help="build the database here and keep it; when it exists, skip the ingest and time "
        "the searches on it (a 1M-paper build takes long on a shared machine)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    words = vocabulary()
    if args.db and args.db.exists():
        time_searches(PaperStore(connect(args.db)), words, rng, args.queries)
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "papers.jsonl"
        db_path = args.db or Path(tmp) / "bench.db"
        write_corpus(corpus, args.n, words, rng)
        db = connect(db_path)
        rss_before = peak_rss_mb()
        started = time.perf_counter()
        first = ingest_file(db, corpus, NOW)
        first_s = time.perf_counter() - started
        rss_after = peak_rss_mb()
        started = time.perf_counter()
        again = ingest_file(db, corpus, NOW)
        again_s = time.perf_counter() - started
        size_mb = (
            db_path.stat().st_size / 1e6
            + sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "-*")) / 1e6
        )
        print(f"corpus: {args.n} papers, {corpus.stat().st_size / 1e6:.1f} MB of JSONL")
        print(
            f"ingest: {first.inserted} inserted in {first_s:.1f} s "
            f"= {args.n / first_s:,.0f} papers/s"
        )
        print(
            f"re-ingest: {again.unchanged} unchanged in {again_s:.1f} s "
            f"= {args.n / again_s:,.0f} papers/s"
        )
        print(f"peak RSS: {rss_after:.0f} MB (before ingest {rss_before:.0f} MB)")
        print(f"database: {size_mb:.0f} MB")
        # A fresh generator: the run that builds the database times the same queries as a
        # later run on it (the corpus drew from `rng`).
        time_searches(PaperStore(db), words, random.Random(args.seed), args.queries)


if __name__ == "__main__":
    main()
