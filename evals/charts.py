"""`accuracy.png`: accuracy by kind and by report, this project beside the baseline."""

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


def _bars(ax: Any, mine: Mapping[str, Any], base: Mapping[str, Any], title: str) -> None:
    names = list(mine)
    xs = range(len(names))
    width = 0.38
    ours = [100 * (mine[n]["accuracy"] or 0) for n in names]
    theirs = [100 * ((base.get(n) or {}).get("accuracy") or 0) for n in names]
    ax.bar([x - width / 2 for x in xs], ours, width, label="nianbao", color="#2f6db5")
    ax.bar([x + width / 2 for x in xs], theirs, width, label="baseline", color="#b0b0b0")
    ax.set_xticks(list(xs))
    ax.set_xticklabels([f"{_short(n)}\n(n={mine[n]['n']})" for n in names], fontsize=8)
    ax.set_ylim(0, 105)
    ax.set_ylabel("% correct")
    ax.set_title(title)
    ax.legend(loc="upper right", fontsize=8)


def _short(name: str) -> str:
    return name.removesuffix(".txt")
