"""The two kinds of wire model, and the constrained types they share."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{3,32}$")]
Password = Annotated[str, Field(min_length=8, max_length=1024)]
RoomName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_-]{1,64}$")]
MAX_SEQ = 2**63 - 1  # a seq is a signed 64-bit integer in both stores
Seq = Annotated[int, Field(ge=0, le=MAX_SEQ)]


class In(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---- inbound (REST bodies) ----
