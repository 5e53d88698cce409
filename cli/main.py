"""The `nianbao` command. Each subcommand lives in its own module with a `register(subparsers)`
and is a thin shell over one library entry point."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from cli import ask, evaluate, ingest, serve, train
from rag.errors import NianbaoError
from rag.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; errors become a line on stderr and exit status 1."""
    args = _parser().parse_args(argv)
    run: Command = args.run
    try:
        return run(args, Settings.from_env())
    except NianbaoError as exc:
        print(f"nianbao: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nianbao", description="年报问答: answers with citations")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for module in (ingest, ask, evaluate, serve, train):
        module.register(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
