"""``hubbub serve``, ``hubbub db upgrade``, and the operator's ``users``/``rooms`` commands."""

from __future__ import annotations

import argparse
import os
import sys

from hubbub import operator
from hubbub.config import Settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hubbub", description="Hubbub chat server")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server (applies migrations first)")
    serve.add_argument("--host", help="listen address (HUBBUB_HOST, default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="listen port (HUBBUB_PORT, default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (HUBBUB_WORKERS)")
    serve.add_argument("--no-migrate", action="store_true", help="do not upgrade the schema")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply every pending migration")
    operator.add_commands(commands)

    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "db":
        _upgrade(settings)
    elif args.command == "serve":
        _serve(settings, args)
    else:
        sys.exit(operator.run(settings, args))


def _upgrade(settings: Settings) -> None:
    from hubbub.store.migrate import upgrade

    upgrade(settings.resolved_database_url)


def _serve(settings: Settings, args: argparse.Namespace) -> None:
    host = args.host or settings.host
    port = args.port or settings.port
    workers = args.workers or settings.workers
    if workers > 1 and not settings.redis_url:
        # Processes that cannot see each other would split rooms and presence silently.
        sys.exit("hubbub: --workers above 1 needs HUBBUB_REDIS_URL (fan-out between processes)")
    from hubbub import metrics_dir

    if settings.metrics:
        # First: prometheus_client picks multiprocess mode when it is imported, and the
        # migrations and the app below import it (hubbub.metrics).
        metrics_dir.prepare(settings.data_dir)
    else:
        os.environ.pop(metrics_dir.ENV, None)  # off: no files, wherever they would go
    import uvicorn

    from hubbub.logs import log_config
    from hubbub.realtime.server import TRANSPORT_MAX_BYTES

    if not args.no_migrate:
        _upgrade(settings)
    settings.resolved_jwt_secret()  # create it once, before any worker races for it
    uvicorn.run(
        "hubbub.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        ws="websockets-sansio",  # the protocol realtime.websocket_lane writes frames to
        ws_per_message_deflate=settings.ws_compression,
        log_level=settings.log_level,
        log_config=log_config(settings.log_level, settings.log_format),
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        ws_max_size=TRANSPORT_MAX_BYTES,
        server_header=False,
    )
