"""`nianbao ask "问题" [--json]`: one answer with numbered sources (or one JSON object)."""

from __future__ import annotations

import argparse
import json
import sys

from cli.ingest import complete
from rag.answering import answer, answer_to_json, validate_question
from rag.services import Services, build_services
from rag.settings import Settings
from rag.types import Answer


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("ask", help="根据已导入的报告回答一个问题")
    parser.add_argument("question", help="问题，例如：2022年昌平区中职学校招生多少人？")
    parser.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
    parser.add_argument("--turn", action="append", default=[], metavar="EARLIER",
                        help="对话中先前的问题（可重复，按先后顺序）；先依次回答，再把本问题作为追问")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer one question; the bundled reports are ingested first when the index is empty."""
    question = validate_question(args.question, max_chars=settings.max_question_chars)
    services = build_services(settings)
    try:
        ensure_reports(services)
        history: list[tuple[str, str]] = []
        for earlier in args.turn:
            history.append((earlier, answer(earlier, services, history=history).text))
        result = answer(question, services, history=history)
    finally:
        services.index.close()
    if args.json:
        print(json.dumps(answer_to_json(result), ensure_ascii=False))
    else:
        print(render(result))
    return 0


def ensure_reports(services: Services) -> None:
    """Ingest the bundled reports when the index holds no documents, or complete an index written by
    an older version (progress on stderr)."""
    if services.index.documents():
        complete(services.index, services.settings, _progress)
        return
    from ingestion.pipeline import ingest  # parsers and PDF libraries only when there is something to parse

    print("索引为空，正在导入内置报告…", file=sys.stderr, flush=True)
    ingest([services.settings.reports_dir], services.index, progress=_progress)


def render(result: Answer) -> str:
    """The answer text, its computation and warnings, then the numbered sources."""
    lines = [result.text]
    if result.computation and result.computation not in result.text:
        lines.append(f"计算：{result.computation}")
    lines += [f"注意：{w}" for w in result.warnings]
    if result.citations:
        lines.append("")
        lines.append("来源：")
    for c in result.citations:
        where = "，".join(x for x in (c.title, c.section, c.table, f"第{c.line}行") if x)
        lines.append(f"[{c.n}] {c.file}（{where}）")
        lines.append(f"    {c.quote}")
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
