"""Photos and files customers upload with custom fields.

Each upload is kept as ``<folder>/<organization id>/<random key>``. What a file is comes from
its first bytes, never from the name or content type the browser sent, and nothing is kept
that could run in a browser or on a desktop (HTML, scripts, executables).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import BinaryIO, Literal

from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from webapp.i18n import format_number

Kind = Literal["photo", "file"]

_CHUNK = 64 * 1024
_HEAD = 32
_MIB = 1024 * 1024
_SAFE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}")
_NAME_LIMIT = 120
_FALLBACK_NAME = "upload"

PHOTO_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")
_IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
# Types a "file" may be, by extension; images and PDFs are also checked by their bytes.
FILE_TYPES = {
    "pdf": "application/pdf",
    "heic": "image/heic",
    "txt": "text/plain",
    "csv": "text/csv",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_PHOTO_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/gif": "gif",
    "image/webp": "webp",
}
_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# First-byte checks for the file types that have a signature; plain text has none.
_SIGNATURES: dict[str, Callable[[bytes], bool]] = {
    "pdf": lambda head: head.startswith(b"%PDF-"),
    "heic": lambda head: head[4:8] == b"ftyp" and head[8:12] in _HEIC_BRANDS,
    "docx": lambda head: head.startswith(_ZIP),
    "xlsx": lambda head: head.startswith(_ZIP),
    "doc": lambda head: head.startswith(_OLE),
    "xls": lambda head: head.startswith(_OLE),
}


class UploadRejected(ValueError):
    """An upload that is not kept; ``message`` is ready to show next to the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def save_upload(
    organization_id: str, storage: FileStorage, *, kind: Kind, max_bytes: int, folder: str
) -> dict:
    """Check and keep one upload; returns what a custom-field answer records about it."""
    directory = _organization_dir(folder, organization_id)
    extension = _extension(storage.filename)
    if kind == "file" and extension not in FILE_TYPES and extension not in _IMAGE_EXTENSIONS:
        raise UploadRejected(
            _("This type of file is not accepted. Use PDF, an image, text, Word or Excel.")
        )
    os.makedirs(directory, exist_ok=True)
    key = secrets.token_urlsafe(18)
    path = os.path.join(directory, key)
    partial = f"{path}.part"
    try:
        size, head = _copy_limited(storage.stream, partial, max_bytes)
        content_type = _content_type(kind, extension, head)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    # A photo is named after what it is, so "cat.html" holding a PNG is kept as "cat.png".
    name = _display_name(
        storage.filename, _PHOTO_EXTENSIONS.get(content_type) if kind == "photo" else None
    )
    return {"key": key, "name": name, "size": size, "contentType": content_type}


def open_upload(organization_id: str, key: str, *, folder: str) -> str | None:
    """The path of a kept upload, or None; keys that could leave the folder are refused."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        return None
    if not isinstance(organization_id, str) or not _SAFE_ID.fullmatch(organization_id):
        return None
    path = os.path.join(folder, organization_id, key)
    return path if os.path.isfile(path) else None


def delete_upload(organization_id: str, key: str, *, folder: str) -> None:
    """Forget an upload, e.g. when the form it came with was not accepted."""
    path = open_upload(organization_id, key, folder=folder)
    if path:
        os.remove(path)


def photo_type(path: str) -> str | None:
    """What a kept photo is, read from its first bytes."""
    with open(path, "rb") as handle:
        return _sniff(handle.read(_HEAD))


def _organization_dir(folder: str, organization_id: str) -> str:
    if not _SAFE_ID.fullmatch(organization_id or ""):
        raise ValueError(f"not an organization id: {organization_id!r}")
    return os.path.join(folder, organization_id)


def _copy_limited(stream: BinaryIO, target: str, max_bytes: int) -> tuple[int, bytes]:
    """Copy at most ``max_bytes`` to ``target``; one byte more means the file is too large."""
    size = 0
    head = b""
    with open(target, "wb") as out:
        while chunk := stream.read(min(_CHUNK, max_bytes + 1 - size)):
            size += len(chunk)
            if size > max_bytes:
                raise UploadRejected(_too_large(max_bytes))
            if len(head) < _HEAD:
                head += chunk[: _HEAD - len(head)]
            out.write(chunk)
    if size == 0:
        raise UploadRejected(_("This file is empty."))
    return size, head


def _too_large(max_bytes: int) -> str:
    megabytes = max(round(Decimal(max_bytes) / _MIB, 1), Decimal("0.1"))
    return _("This file is too large. The limit is %(limit)s MB.", limit=format_number(megabytes))


def _content_type(kind: Kind, extension: str, head: bytes) -> str:
    sniffed = _sniff(head)
    if kind == "photo":
        if sniffed not in PHOTO_TYPES:
            raise UploadRejected(_("This is not a photo. Use a JPEG, PNG, GIF or WebP image."))
        return sniffed
    if extension in _IMAGE_EXTENSIONS:
        if sniffed not in PHOTO_TYPES:
            raise UploadRejected(_("This file is not the image its name says it is."))
        return sniffed
    signature = _SIGNATURES.get(extension)
    if signature is not None and not signature(head):
        raise UploadRejected(_("This file's contents do not match its type."))
    return FILE_TYPES[extension]


def _sniff(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def _extension(filename: str | None) -> str:
    _stem, dot, extension = (filename or "").rpartition(".")
    return extension.strip().lower() if dot else ""


def _display_name(filename: str | None, extension_override: str | None) -> str:
    """The sent name made safe to show and to offer as a download name.

    ``secure_filename`` drops non-Latin letters, so an Arabic name becomes "upload.jpg".
    """
    stem, dot, extension = (filename or "").rpartition(".")
    if not dot:
        stem, extension = extension, ""
    stem = secure_filename(stem)[:_NAME_LIMIT] or _FALLBACK_NAME
    extension = extension_override or secure_filename(extension).lower()[:10]
    return f"{stem}.{extension}" if extension else stem
