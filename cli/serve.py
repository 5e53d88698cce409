"""`nianbao serve`: the HTTP API and chat widget, on the local index (ingested on first start)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import time
from typing import Any

from rag.errors import ConfigError, NianbaoError
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

    check_bind(args.host, settings)
    handler = logging.StreamHandler()
    handler.setLevel(logging.INFO)  # libraries that set their own loggers to DEBUG stay quiet
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    services = build_services(settings)
    try:
        if not args.no_ingest:
            ensure_ingested(services, settings)
        warm_up(services)
        if settings.open_mode:
            log.warning("no NIANBAO_API_KEYS / NIANBAO_ADMIN_KEYS: the API is open to this machine only")
        log.info("serving on http://%s:%d (API docs /docs, widget demo /demo)", args.host, args.port)
        uvicorn.run(create_app(settings, services), host=args.host, port=args.port, log_level="info")
    finally:
        services.index.close()
    return 0


def check_bind(host: str, settings: Settings) -> None:
    """ConfigError when the API would be open (no keys) on an address other machines can reach."""
    if settings.open_mode and not is_loopback(host):
        raise ConfigError(f"refusing to serve without keys on {host}: set NIANBAO_API_KEYS and "
                          "NIANBAO_ADMIN_KEYS, or listen on 127.0.0.1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ensure_ingested(services: Any, settings: Settings) -> None:
    """Ingest the bundled reports when the index has no documents, logging progress."""
    from cli.ingest import corpus_paths
    from ingestion.pipeline import ingest

    if services.index.documents():
        return
    log.info("index is empty: ingesting the corpus (%s and uploads)", settings.reports_dir)
    report = ingest(corpus_paths(settings, services.index), services.index, progress=log.info)
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
