"""Settings, read from ``HUBBUB_*`` environment variables.

Built by the CLI or ``create_app`` (never at import time) so tests and workers can each
have their own.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
    ws_compression: bool = Field(default=False, description="WebSocket permessage-deflate")
    cors_origins: list[str] = Field(default_factory=list, description="extra allowed origins")
    log_level: str = "info"

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
