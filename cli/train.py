"""`nianbao train`: rebuild the ranker's artefact from questions generated over the indexed reports."""

from __future__ import annotations

import argparse
from pathlib import Path

from rag.settings import Settings

REPO = Path(__file__).resolve().parent.parent


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("train", help="重新训练答案排序模型（rag/rank/model.json）")
    parser.add_argument("--out", type=Path, default=None, help="artefact path (default: rag/rank/model.json)")
    parser.add_argument("--per-report", type=int, default=None, help="generated questions per report")
    parser.add_argument("--seed", type=int, default=None)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    from rag.rank.model import ARTEFACT
    from rag.services import build_services
    from training import train
    from training.benchmark import calibration_items

    services = build_services(settings)
    try:
        if not services.index.documents():
            from ingestion.pipeline import ingest

            print(f"索引为空：正在导入 {settings.reports_dir} 中的报告")
            ingest([settings.reports_dir], services.index)
        ranker = train.build(
            services.retriever, calibration_items(REPO),
            per_report=args.per_report or train.PER_REPORT, seed=args.seed or train.SEED, say=print,
        )
    finally:
        services.index.close()
    out = args.out or ARTEFACT
    train.save(ranker, out)
    print(f"已写入 {out}：阈值 {ranker.threshold:.3f}，{ranker.meta.get('pairs')} 对训练样本")
    return 0
