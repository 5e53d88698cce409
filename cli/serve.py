"""`nianbao serve`: the HTTP API and chat widget, on the local index (ingested on first start)."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from dataclasses import replace
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
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted; 0 on a clean stop."""
    import uvicorn

    from api.app import create_app
    from rag.services import build_services

    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO)  # libraries that set their own loggers to DEBUG stay quiet
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    services = build_services(settings)
    try:
        if not args.no_ingest:
            ensure_ingested(services, settings)
        # In the background and without the LLM: serving never waits on it, and a slow LLM server
        # neither blocks start-up nor counts a failure on the breaker.
        threading.Thread(target=warm_up, args=(services,), name="nianbao-warm-up", daemon=True).start()
        if not settings.api_keys:
            log.warning("NIANBAO_API_KEYS is not set: the API is open to anyone who can reach %s", args.host)
        log.info("serving on http://%s:%d (API docs /docs, widget demo /demo)", args.host, args.port)
        uvicorn.run(create_app(settings, services), host=args.host, port=args.port, log_level="info")
    finally:
        services.index.close()
    return 0


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
    """Answer one question extractively so the first user does not wait for dictionaries to load."""
    from rag.answering import answer

    started = time.perf_counter()
    try:
        answer(WARM_UP_QUESTION, replace(services, llm=None))
    except NianbaoError as exc:
        log.warning("warm-up question failed: %s", exc.message)
    log.info("warmed up in %.1f s", time.perf_counter() - started)
