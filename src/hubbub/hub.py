"""``Hub``: the resources one server process runs on, built in the app's lifespan and
handed to every action. No module-level singletons: tests run several hubs at once."""

from __future__ import annotations

from dataclasses import dataclass

from hubbub.config import Settings
from hubbub.fanout.base import Broker, Presence
from hubbub.files.storage import FileStorage
from hubbub.ratelimit import Limits
from hubbub.security import AccessTokens, PasswordHashing
from hubbub.store.base import Store


@dataclass(slots=True)
class Hub:
    settings: Settings
    store: Store
    broker: Broker
    presence: Presence
    tokens: AccessTokens
    passwords: PasswordHashing
    limits: Limits
    files: FileStorage
