"""`accuracy.png`: accuracy by kind and by report, this project beside the baseline; `risk-coverage.png`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any


def accuracy_chart(data: Mapping[str, Any], path: Path) -> Path:
    """Draw grouped bars (nianbao vs baseline) by kind and by report into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), gridspec_kw={"width_ratios": [6, 5]})
    for ax, key, title in ((axes[0], "by_kind", "Accuracy by question kind"),
                           (axes[1], "by_report", "Accuracy by report")):
        _bars(ax, data["system"][key], data["baseline"][key], title)
    fig.suptitle(f"nianbao ({data['mode']}) vs naive baseline — {data['system']['questions']} questions")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def risk_coverage_chart(data: Mapping[str, Any], path: Path) -> Path:
    """Draw accuracy of the answered questions against the share answered (surest answers first)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.2))
    for key, label, color in (("system", "nianbao", "#2f6db5"), ("baseline", "baseline", "#b0b0b0")):
        points = data[key]["risk_coverage"]
        ax.plot([100 * p["coverage"] for p in points], [100 * p["accuracy"] for p in points],
                label=label, color=color)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 102)
    ax.set_xlabel("% of questions answered")
    ax.set_ylabel("% of answered that are right")
    ax.set_title(f"Risk–coverage ({data['mode']}), {data['system']['questions']} questions")
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _bars(ax: Any, mine: Mapping[str, Any], base: Mapping[str, Any], title: str) -> None:
    names = list(mine)
    xs = range(len(names))
    width = 0.38
    ours = [100 * (mine[n]["accuracy"] or 0) for n in names]
    theirs = [100 * ((base.get(n) or {}).get("accuracy") or 0) for n in names]
    for offset, values, label, color in ((-width / 2, ours, "nianbao", "#2f6db5"),
                                         (width / 2, theirs, "baseline", "#b0b0b0")):
        bars = ax.bar([x + offset for x in xs], values, width, label=label, color=color)
        ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=1)
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{_short(n)}\n(n={mine[n]['n']})" for n in names], fontsize=8)
    ax.set_ylim(0, 118)
    ax.set_ylabel("% correct")
    ax.set_title(title)
    ax.legend(loc="upper left", ncol=2, fontsize=8)


def _short(name: str) -> str:
    stem = name.rsplit(".", 1)[0] if name.endswith((".txt", ".md", ".pdf")) else name
    return "\n".join(stem.split("-"))
