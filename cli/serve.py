"""`nianbao serve`: the HTTP API and chat widget, on the local index (ingested on first start)."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rag.errors import ConfigError, NianbaoError
from rag.settings import Settings

if TYPE_CHECKING:
    import uvicorn

log = logging.getLogger("nianbao.serve")
WARM_UP_QUESTION = "2022年昌平区中职学校招生多少人？"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="运行 HTTP API（/docs）和问答小部件（/demo）")
    parser.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
    parser.add_argument("--no-ingest", action="store_true", help="不导入内置报告")
    parser.add_argument("--workers", type=int, default=1, metavar="N",
                        help="工作进程数（uvicorn 的多进程模式；默认 1）")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Serve until interrupted; 0 on a clean stop."""
    import uvicorn

    from api.app import create_app, service_services

    check_bind(args.host, settings)
    _log_to_stderr()
    if args.workers > 1:
        return _run_workers(args, settings)
    services = service_services(settings)
    try:
        if not args.no_ingest:
            ensure_ingested(services, settings)
        # In the background and without the LLM: serving never waits on it, and a slow LLM server
        # neither blocks start-up nor counts a failure on the breaker.
        threading.Thread(target=warm_up, args=(services,), name="nianbao-warm-up", daemon=True).start()
        if settings.open_mode:
            log.warning("未设置 NIANBAO_API_KEYS：任何能访问 %s 的人都可以使用本服务", args.host)
        config = uvicorn.Config(create_app(settings, services), host=args.host, port=args.port,
                                log_level="info")
        serve_announced(announcing_server(config), args.host, args.port)
    finally:
        services.index.close()
    return 0


def announcing_server(config: uvicorn.Config) -> uvicorn.Server:
    """A uvicorn server that logs where it serves only once its socket is bound."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                log.info("服务已启动：http://%s:%d（API 文档 /docs，演示页 /demo）", config.host, config.port)

    return AnnouncingServer(config)


def serve_announced(server: uvicorn.Server, host: str, port: int) -> None:
    """Run ``server``; a bind that fails (port taken, address not local) becomes a ConfigError."""
    try:
        server.run()
    except SystemExit as exc:  # uvicorn exits with status 1 when it cannot bind
        if server.started or not exc.code:
            raise
        raise ConfigError(f"无法在 {host}:{port} 上监听（端口可能已被占用，或该地址不属于本机）") from exc


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
    if settings.open_mode:
        log.warning("未设置 NIANBAO_API_KEYS：任何能访问 %s 的人都可以使用 API", args.host)
    log.info("以 %d 个工作进程启动服务：http://%s:%d", args.workers, args.host, args.port)
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


def check_bind(host: str, settings: Settings) -> None:
    """ConfigError when the API would be open (no keys) on an address other machines can reach."""
    if settings.open_mode and not is_loopback(host):
        raise ConfigError(f"拒绝在 {host} 上无密钥运行：请设置 NIANBAO_API_KEYS 与 NIANBAO_ADMIN_KEYS，"
                          "或监听 127.0.0.1")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address or name) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def ensure_ingested(services: Any, settings: Settings) -> None:
    """Ingest the recorded corpus (bundled reports and uploads) when the index has no documents, or
    complete an index written by an older version."""
    from cli.ingest import complete, corpus_paths
    from ingestion.pipeline import ingest

    if services.index.documents():
        complete(services.index, settings, log.info)
        return
    log.info("索引为空：正在导入 %s 中的报告", settings.reports_dir)
    report = ingest(corpus_paths(settings, services.index), services.index, progress=log.info)
    log.info("已导入 %d 份报告（%d 个片段，%d 个表格数据），用时 %.1f 秒，失败 %d 个",
             report.documents, report.chunks, report.facts, report.seconds, len(report.failed))


def warm_up(services: Any) -> None:
    """Load jieba's whole dictionary (a server tokenises many questions) and answer one question
    extractively, so the first user does not wait for dictionaries to load."""
    from rag.answering import answer
    from rag.index.tokenize import load_whole_dictionary

    started = time.perf_counter()
    load_whole_dictionary()
    try:
        answer(WARM_UP_QUESTION, replace(services, llm=None))
    except NianbaoError as exc:
        log.warning("预热问题回答失败：%s", exc.message)
    log.info("预热完成，用时 %.1f 秒", time.perf_counter() - started)
