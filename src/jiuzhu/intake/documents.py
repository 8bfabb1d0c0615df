"""Storing documents: type by magic bytes (PDF, JPEG, PNG only, whatever the name says),
size limit, SHA-256 content hash, content-addressed path under MEDIA_ROOT."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from jiuzhu.common.errors import ValidationFailed

# settings.JIUZHU_UPLOAD_MAX_BYTES overrides.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class Stored:
    path: str  # relative to MEDIA_ROOT
    sha256: str
    size: int
    content_type: str


def max_bytes() -> int:
    return int(getattr(settings, "JIUZHU_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(head: bytes) -> tuple[str, str] | None:
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def _chunks(f, size=1 << 16):
    if hasattr(f, "chunks"):
        yield from f.chunks()
        return
    while chunk := f.read(size):
        yield chunk


def store(f, *, field: str = "file") -> Stored:
    """Check and store an uploaded file (a Django ``UploadedFile`` or any binary file object).
    The file is written to a temporary file while hashed, then moved into place, so a failed
    check leaves nothing behind and identical content is stored once."""
    limit = max_bytes()
    root = Path(settings.MEDIA_ROOT)
    (root / "intake").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp = tempfile.mkstemp(dir=root / "intake", prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(f):
                size += len(chunk)
                if size > limit:
                    raise ValidationFailed(
                        f"文件超过 {limit // (1024 * 1024)} MB 上限", field=field, code="file_too_large"
                    )
                if len(head) < 16:
                    head += chunk[: 16 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise ValidationFailed("文件为空", field=field, code="file_empty")
        kind = sniff(head)
        if kind is None:
            raise ValidationFailed(
                "只接受 PDF、JPG 或 PNG 文件（按文件内容判断）", field=field, code="file_type"
            )
        content_type, ext = kind
        sha = digest.hexdigest()
        rel = f"intake/{sha[:2]}/{sha}.{ext}"
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            os.unlink(tmp)
        else:
            os.chmod(tmp, 0o640)
            os.replace(tmp, target)
        return Stored(rel, sha, size, content_type)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def open_stored(path: str):
    return open(Path(settings.MEDIA_ROOT) / path, "rb")
