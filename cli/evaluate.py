"""`nianbao eval`: score the benchmark questions (and the naive baseline), or compare two runs."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from rag.settings import Settings

DEV_QUESTIONS = Path(__file__).resolve().parent.parent / "evals" / "dev-questions.jsonl"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("eval", help="评测基准问题，输出回答、汇总、报告和图表")
    parser.add_argument("--questions", type=Path, default=DEV_QUESTIONS, metavar="FILE",
                        help="JSONL 格式的问题文件（默认：开发集问题）")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="输出目录（默认：$NIANBAO_HOME/evals/<UTC 时间>）")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("OLD_DIR", "NEW_DIR"),
                        help="不运行评测，而是比较两次评测的输出目录")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.compare:
        return _compare(args.compare[0], args.compare[1])
    from evals.questions import load_questions
    from evals.runner import run_eval, write_outputs
    from rag.index import generations, tokenize

    # an evaluation tokenises every question: jieba's whole dictionary once, before the timings
    tokenize.use_cache_dir(generations.Layout(settings.home).cache)
    tokenize.load_whole_dictionary()

    out = args.out or settings.home / "evals" / datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    questions = load_questions(args.questions)
    result = run_eval(questions, settings, questions_file=str(args.questions), progress=_progress)
    data = write_outputs(result, out)
    mine, base = data["system"], data["baseline"]
    print(f"accuracy {_pct(mine['accuracy'])} (baseline {_pct(base['accuracy'])}), "
          f"citations {_pct(mine['citation_accuracy'])}, refusals {_pct(mine['refusal_accuracy'])}, "
          f"recall@5 {_pct(mine['recall_at_5'])}, p50 {mine['latency_ms']['p50']:.0f} ms, "
          f"p95 {mine['latency_ms']['p95']:.0f} ms, {result.seconds:.1f} s")
    print(f"report: {out / 'report.md'}")
    return 0


def _compare(old: Path, new: Path) -> int:
    from evals.compare import compare, format_comparison, load_summary

    print(format_comparison(compare(load_summary(old), load_summary(new))))
    return 0


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"
