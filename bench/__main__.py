"""List the benchmarks, or run one: `python -m bench` / `python -m bench recommender --scale small`.

Every `bench/bench_<name>.py` is a benchmark with its own `--help`; they are not run by pytest.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> dict[str, str]:
    """name -> first docstring line of each bench/bench_<name>.py."""
    found = {}
    for path in sorted(HERE.glob("bench_*.py")):
        lines = path.read_text(encoding="utf-8").split('"""')
        summary = lines[1].strip().splitlines()[0] if len(lines) > 1 else ""
        summary = summary.removeprefix("Benchmark (not a test): ")
        found[path.stem.removeprefix("bench_")] = summary
    return found


def main() -> None:
    benches = available()
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: python -m bench NAME [options]   (each benchmark has its own --help)\n")
        for name, summary in benches.items():
            print(f"  {name:<12} {summary}")
        return
    name = sys.argv[1]
    if name not in benches:
        sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(benches)}")
    sys.argv = [str(HERE / f"bench_{name}.py"), *sys.argv[2:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
