"""A store's ``Refused`` (decided inside its transaction) as the PROTOCOL error."""

from __future__ import annotations

from typing import NoReturn

from hubbub.errors import BadRequest, Conflict, Forbidden, HubbubError, NotFound
from hubbub.store.base import Refused

_ERRORS: dict[str, type[HubbubError]] = {
    "not_found": NotFound,
    "bad_request": BadRequest,
    "forbidden": Forbidden,
    "conflict": Conflict,
}


def raise_refused(refused: Refused) -> NoReturn:
    raise _ERRORS[refused.code](refused.message)
