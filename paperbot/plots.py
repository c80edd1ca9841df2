"""The charts of `paperbot eval --plot` and `paperbot simulate --plot` (matplotlib, Agg backend).

matplotlib is an optional extra (`pip install 'paperbot[plot]'`; `make test` has it), so it is
imported only when a chart is asked for, and its absence is a one-line error, not a traceback.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from recommender.domain import InvalidInputError
from recommender.evaluation.metrics import METRICS
from recommender.evaluation.runner import EvalReport
from recommender.evaluation.simulate import PolicySummary


def pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend; InvalidInputError when matplotlib is missing.
    The commands call it before their slow part too, so a missing extra costs no run."""
    try:
        import matplotlib
    except ImportError as exc:
        raise InvalidInputError(
            "--plot needs matplotlib: .venv/bin/pip install 'paperbot[plot]'"
        ) from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_report(report: EvalReport, path: Path) -> None:
    """A grouped bar chart of recall@10/50/100/300 per model (matplotlib, Agg backend)."""
    plt = pyplot()

    cutoffs = [m for m in METRICS if m.startswith("recall@")]
    width = 0.8 / max(len(report.models), 1)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, model in enumerate(report.models):
        xs = [c + i * width for c in range(len(cutoffs))]
        ax.bar(xs, [model.metrics[m] for m in cutoffs], width, label=model.name)
    ax.set_xticks([c + 0.4 - width / 2 for c in range(len(cutoffs))], cutoffs)
    ax.set_ylabel("recall")
    ax.set_title(f"{report.dataset}: protocol {report.protocol}, seed {report.seed}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_simulation(summaries: Sequence[PolicySummary], path: Path, title: str) -> None:
    """The hit rate per day of each policy (mean over seeds), one line per policy."""
    plt = pyplot()

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for summary in summaries:
        days = range(1, len(summary.hit_rate) + 1)
        ax.plot(days, summary.hit_rate, marker="o", label=summary.name)
    ax.set_xlabel("day")
    ax.set_ylabel("hit rate (likes / picks)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
