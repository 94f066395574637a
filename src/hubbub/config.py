"""Settings, read from ``HUBBUB_*`` environment variables.

Built by the CLI or ``create_app`` (never at import time) so tests and workers can each
have their own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

JWT_SECRET_FILE = "jwt_secret"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HUBBUB_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="SQLite file and generated secret")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default: a SQLite file in the data dir"
    )
    redis_url: str | None = Field(default=None, description="unset: single process")
    redis_prefix: str = Field(default="hubbub", description="prefix of every Redis key")
    presence_liveness: float = Field(
        default=30.0, description="seconds after which a silent node's users count as gone"
    )
    session_check_seconds: float = Field(
        default=10.0,
        ge=0,
        description="how often each node asks the store whether its sockets' logins still"
        " stand (0: never; logouts and deactivations then reach sockets through the broker)",
    )
    jwt_secret: str | None = Field(default=None, description="unset: generated in the data dir")
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    access_token_ttl: int = Field(default=900, description="seconds an access token lives")
    refresh_token_ttl: int = Field(default=30 * 24 * 3600, description="seconds a refresh lives")
    max_message_chars: int = Field(default=4000, description="longest message text")
    max_event_bytes: int = Field(
        default=64 * 1024, description="largest Socket.IO event payload answered normally"
    )
    commit_delay_ms: float = Field(
        default=0,
        ge=0,
        le=100,
        description="a send waits up to this long for others to share its commit",
    )
    sqlite_synchronous: Literal["full", "normal"] = Field(
        default="full",
        description="SQLite's synchronous pragma: full fsyncs every commit before its acks;"
        " normal leaves the fsync to checkpoints (an acked message survives a crash of the"
        " server, not of the machine)",
    )
    ws_compression: bool = Field(default=False, description="WebSocket permessage-deflate")
    check_wire: bool = Field(
        default=False,
        description="check every Socket.IO ack and event against its model (for tests)",
    )
    cors_origins: list[str] = Field(default_factory=list, description="extra allowed origins")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1,::1",
        description="proxies whose X-Forwarded-For/-Proto are believed (uvicorn's setting)",
    )
    log_level: str = "info"
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object per log line"
    )
    metrics: bool = Field(default=True, description="serve GET /metrics (on/off)")
    metrics_token: str | None = Field(
        default=None,
        min_length=16,
        description="unset: /metrics for loopback scrapers only; set: a bearer token required",
    )

    # Limits: rate limits in the `limits` library's notation ("10/second;200/minute"),
    # counted per user (per client address, or per username, before login).
    rate_messages: str = Field(default="10/second;120/minute", description="sendMessage")
    rate_typing: str = Field(default="4/second;60/minute", description="typing (excess dropped)")
    rate_joins: str = Field(default="5/second;60/minute", description="joins and leaves")
    rate_rooms: str = Field(default="5/minute;50/day", description="room creation")
    rate_uploads: str = Field(default="10/minute;200/day", description="file uploads")
    rate_writes: str = Field(default="20/second;600/minute", description="every other write")
    rate_reads: str = Field(default="20/second;600/minute", description="sync and history")
    rate_register_ip: str = Field(default="5/minute;20/hour", description="registrations")
    rate_login_ip: str = Field(default="20/minute;200/hour", description="logins per address")
    rate_login_user: str = Field(default="10/minute;50/hour", description="logins per username")
    rate_webhooks_ip: str = Field(default="60/minute", description="webhook posts per address")
    rate_webhooks: str = Field(
        default="10/second;120/minute", description="posts per webhook, from every address"
    )
    rate_refresh_ip: str = Field(default="120/minute", description="token refreshes")
    password_hash_threads: int = Field(default=2, ge=1, description="argon2 threads")
    password_hash_queue: int = Field(
        default=16, ge=0, description="hashes that may wait; past that: 503 unavailable"
    )
    sync_max_bytes: int = Field(
        default=2_000_000,
        ge=100_000,
        description="about the largest sync reply (besides its 1,000 messages)",
    )
    max_upload_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1024, description="largest file one upload may carry"
    )
    upload_orphan_seconds: int = Field(
        default=24 * 3600,
        ge=60,
        description="an upload no message uses is deleted after this long",
    )
    max_body_bytes: int = Field(default=64 * 1024, description="largest REST request body")
    max_sockets_per_user: int = Field(default=20, ge=1, description="open sockets per user")
    socket_queue_limit: int = Field(
        default=1000, ge=10, description="packets queued for one socket before it is closed"
    )
    socket_buffer_bytes: int = Field(
        default=1024 * 1024,
        ge=64 * 1024,
        description="bytes written to one WebSocket and not yet read before it is closed",
    )
    socket_write_delay_ms: float = Field(
        default=0,
        ge=0,
        le=100,
        description="broadcasts wait up to this long to share a write with the next ones",
    )
    socket_max_pending: int = Field(
        default=32, ge=1, description="events of one socket handled at once"
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'hubbub.db').resolve()}"

    def resolved_jwt_secret(self) -> str:
        """The configured secret, or one generated once and kept (mode 0600) in the data dir."""
        if self.jwt_secret:
            if len(self.jwt_secret) < 32:
                raise ValueError("HUBBUB_JWT_SECRET must be at least 32 characters")
            return self.jwt_secret
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.data_dir / JWT_SECRET_FILE
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            secret = path.read_text().strip()
            if len(secret) < 32:
                raise RuntimeError(
                    f"{path} holds no usable secret; delete it to regenerate"
                ) from None
            return secret
        with os.fdopen(fd, "w") as f:
            secret = secrets.token_urlsafe(48)
            f.write(secret + "\n")
        return secret
