"""What an uploaded file is, decided from its bytes, never from its name.

Only PNG, JPEG, GIF and WebP are served inline (PROTOCOL v2), with their pixel size so a
client can reserve the space before the image loads; Pillow reads just the header to say
so (no pixels are decoded, so a "decompression bomb" costs nothing here). Everything else
is a download, typed ``application/octet-stream`` (PDF as ``application/pdf``) — except a
file whose name or declared type claims an image it is not (an SVG or HTML page dressed
as ``cat.png``): that is refused, since whoever sent it meant it to be shown.
"""

from __future__ import annotations

import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from PIL import Image, UnidentifiedImageError

INLINE = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".jfif", ".gif", ".webp", ".svg", ".svgz"}
DOWNLOAD = "application/octet-stream"
MAX_NAME = 255


@dataclass(frozen=True, slots=True)
class Kind:
    content_type: str
    width: int | None = None
    height: int | None = None

    @property
    def inline(self) -> bool:
        return self.content_type in INLINE.values()


class NotWhatItClaims(ValueError):
    """The name or declared type says image; the bytes say otherwise."""


def sniff(source: BinaryIO, *, name: str, declared_type: str | None) -> Kind:
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    kind = _image(source) or (Kind("application/pdf") if head.startswith(b"%PDF-") else None)
    claims_image = PurePosixPath(name.lower()).suffix in IMAGE_SUFFIXES or (
        declared_type or ""
    ).lower().startswith("image/")
    if kind is None or not kind.inline:
        if claims_image:
            raise NotWhatItClaims("the file is not a PNG, JPEG, GIF or WebP image")
        return kind or Kind(DOWNLOAD)
    return kind


def _image(source: BinaryIO) -> Kind | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as image:
                content_type = INLINE.get(image.format or "")
                width, height = image.size
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        ValueError,
        SyntaxError,
    ):
        return None
    finally:
        source.seek(0)
    if content_type is None:
        return None  # an image format served only as a download (BMP, TIFF, …)
    return Kind(content_type, width, height)


def clean_name(name: str | None) -> str:
    """A file name safe to show and to put in Content-Disposition: its last path part,
    no control or format characters, at most 255 characters, never empty."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip(" .")
    return base[:MAX_NAME] or "file"
