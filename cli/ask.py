"""`nianbao ask` (not built yet)."""

from __future__ import annotations

import argparse

from rag.errors import NianbaoError
from rag.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sub.add_parser("ask", help="(not built yet)").set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raise NianbaoError("'nianbao ask' is not built yet")
