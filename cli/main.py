"""The `nianbao` command. Each subcommand lives in its own module with a `register(subparsers)`
and is a thin shell over one library entry point."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from cli import ask, audit, chat, evaluate, ingest, metadata, serve, train
from rag.errors import NianbaoError
from rag.settings import Settings

Command = Callable[[argparse.Namespace, Settings], int]
SIGPIPE_STATUS = 141
"""What a shell reports for a command its pipe's reader closed (128 + SIGPIPE)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; errors become a line on stderr and exit status 1."""
    args = _parser().parse_args(argv)
    run: Command = args.run
    try:
        status = run(args, Settings.from_env())
        sys.stdout.flush()  # a closed pipe shows here, not as a traceback at exit
        return status
    except NianbaoError as exc:
        print(f"nianbao: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`nianbao ask … | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return SIGPIPE_STATUS


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nianbao", description="年报问答：回答附有来源")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    for module in (ingest, ask, chat, evaluate, serve, train, metadata, audit):
        module.register(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
