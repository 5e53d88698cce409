"""`nianbao chat`: a conversation in the terminal; each question is answered with the earlier
turns as history, so follow-ups (「那毕业生呢？」, 「两者相差多少？」) resolve as in the API."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from cli.ask import ensure_reports, render
from rag.answering import answer
from rag.errors import InputError
from rag.services import Services, build_services
from rag.settings import Settings

MAX_TURNS = 20
PROMPT = "问> "
QUIT = frozenset({"exit", "quit", "退出", "再见"})


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("chat", help="ask questions one per line; follow-ups use the earlier turns")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Answer each line of stdin until it ends (or 退出); a bad question is reported and skipped."""
    services = build_services(settings)
    try:
        ensure_reports(services)
        converse(services, sys.stdin, sys.stdout, prompt=sys.stdin.isatty())
    finally:
        services.index.close()
    return 0


def converse(services: Services, lines: TextIO, out: TextIO, *, prompt: bool) -> list[tuple[str, str]]:
    """The turns of a conversation read from ``lines``, each answer written to ``out``."""
    history: list[tuple[str, str]] = []
    while True:
        if prompt:
            out.write(PROMPT)
            out.flush()
        line = lines.readline()
        question = line.strip()
        if not line or question.lower() in QUIT:
            return history
        if not question:
            continue
        try:
            result = answer(question, services, history=history[-MAX_TURNS:])
        except InputError as exc:
            out.write(f"nianbao: {exc.message}\n")
            continue
        out.write(render(result) + "\n\n")
        out.flush()
        history.append((question, result.text))
