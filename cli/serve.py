"""`nianbao serve`: the HTTP API and chat widget, on the local index (ingested on first start)."""

from __future__ import annotations

import argparse
import logging
import time
from typing import Any

from rag.errors import NianbaoError
from rag.settings import Settings

log = logging.getLogger("nianbao.serve")
WARM_UP_QUESTION = "2022年昌平区中职学校招生多少人？"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="run the HTTP API (/docs) and the chat widget (/demo)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--no-ingest", action="store_true", help="do not ingest the bundled reports")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="worker processes (uvicorn's process model; default 1)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted; 0 on a clean stop."""
    import uvicorn

    from api.app import create_app
    from rag.services import build_services

    _log_to_stderr()
    if args.workers > 1:
        return _run_workers(args, settings)
    services = build_services(settings)
    try:
        if not args.no_ingest:
            ensure_ingested(services, settings)
        warm_up(services)
        if not settings.api_keys:
            log.warning("NIANBAO_API_KEYS is not set: the API is open to anyone who can reach %s", args.host)
        log.info("serving on http://%s:%d (API docs /docs, widget demo /demo)", args.host, args.port)
        uvicorn.run(create_app(settings, services), host=args.host, port=args.port, log_level="info")
    finally:
        services.index.close()
    return 0


def _run_workers(args: argparse.Namespace, settings: Settings) -> int:
    """Ingest once here, then let uvicorn start ``args.workers`` processes, each with its own services
    on the shared index (they all follow its CURRENT generation; writers share one lock file)."""
    import uvicorn

    from rag.services import build_services

    if not args.no_ingest:
        services = build_services(settings)
        try:
            ensure_ingested(services, settings)
        finally:
            services.index.close()
    if not settings.api_keys:
        log.warning("NIANBAO_API_KEYS is not set: the API is open to anyone who can reach %s", args.host)
    log.info("serving on http://%s:%d with %d workers", args.host, args.port, args.workers)
    uvicorn.run("cli.serve:worker_app", factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="info")
    return 0


def worker_app() -> Any:
    """The app of one worker process: settings from the environment, services built and warmed up."""
    from api.app import create_app
    from rag.services import build_services

    _log_to_stderr()
    settings = Settings.from_env()
    services = build_services(settings)
    warm_up(services)
    return create_app(settings, services)


def _log_to_stderr() -> None:
    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO)  # libraries that set their own loggers to DEBUG stay quiet
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


def ensure_ingested(services: Any, settings: Settings) -> None:
    """Ingest the bundled reports when the index has no documents, logging progress."""
    from ingestion.pipeline import ingest

    if services.index.documents():
        return
    log.info("index is empty: ingesting %s", settings.reports_dir)
    report = ingest([settings.reports_dir], services.index, progress=log.info)
    log.info("ingested %d documents, %d chunks, %d facts in %.1f s (%d failed)",
             report.documents, report.chunks, report.facts, report.seconds, len(report.failed))


def warm_up(services: Any) -> None:
    """Answer one question so the first user does not wait for dictionaries and indexes to load."""
    from rag.answering import answer

    started = time.perf_counter()
    try:
        answer(WARM_UP_QUESTION, services)
    except NianbaoError as exc:
        log.warning("warm-up question failed: %s", exc.message)
    log.info("warmed up in %.1f s", time.perf_counter() - started)
