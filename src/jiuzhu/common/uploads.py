"""Uploaded files: refused above ``JIUZHU_UPLOAD_MAX_MB`` (before the body is read, when the
request declares its length; while streaming otherwise), streamed to the data directory in
chunks, then handed to a background job by path (``jiuzhu.common.jobs``)."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from .errors import ValidationFailed


class UploadTooLarge(ValidationFailed):
    code = "upload_too_large"
    status = 413


def max_bytes() -> int:
    return settings.JIUZHU_UPLOAD_MAX_MB * 1024 * 1024


def too_large(field: str = "file") -> UploadTooLarge:
    return UploadTooLarge(
        f"文件超过 {settings.JIUZHU_UPLOAD_MAX_MB} MB 的上限，请拆分后分批上传",
        field=field,
        max_mb=settings.JIUZHU_UPLOAD_MAX_MB,
    )


def folder() -> Path:
    path = Path(settings.DATA_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep(f, *, field: str = "file", suffixes: tuple[str, ...] | None = None) -> str:
    """Stream an uploaded file (a Django ``UploadedFile``) to ``<data>/uploads/`` and return
    the name it is kept under. Refuses a missing file, a type not in ``suffixes`` and a file
    above the cap; nothing is kept then."""
    if f is None:
        raise ValidationFailed("请选择文件", field=field, code="file_required")
    suffix = Path(f.name or "").suffix.lower()
    if suffixes and suffix not in suffixes:
        raise ValidationFailed(f"文件类型应为 {'、'.join(suffixes)} 之一", field=field, code="file_type")
    if f.size is not None and f.size > max_bytes():
        raise too_large(field)
    name = f"{uuid.uuid4().hex}{suffix}"
    path = folder() / name
    written = 0
    try:
        with path.open("wb") as out:
            for chunk in f.chunks():
                written += len(chunk)
                if written > max_bytes():
                    raise too_large(field)
                out.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return name


def queue(f, *, kind: str, actor, field: str = "file", suffixes: tuple[str, ...] | None = None, **params):
    """Keep an uploaded file on disk (``keep``) and queue the job ``kind`` that reads it
    (``kept``: its name here, ``filename``: the name it came with, plus ``params``). The request
    never parses the file; the job's page and ``GET /api/jobs/{id}`` show how far it got."""
    from . import jobs

    kept = keep(f, field=field, suffixes=suffixes)
    try:
        return jobs.enqueue(kind, actor=actor, kept=kept, filename=Path(f.name or "upload").name, **params)
    except BaseException:
        discard(kept)
        raise


def read(name: str) -> bytes:
    """The kept file's content (in the worker: the request only streams it to disk)."""
    try:
        return path_of(name).read_bytes()
    except FileNotFoundError:
        raise ValidationFailed(
            "上传的文件已不在服务器上，请重新上传", field="file", code="upload_missing"
        ) from None


def path_of(name: str) -> Path:
    """The kept file's path (names come from ``keep``: no directory parts)."""
    return folder() / Path(name).name


def discard(name: str) -> None:
    path_of(name).unlink(missing_ok=True)


class UploadLimitMiddleware:
    """Refuse a request whose declared body exceeds the upload cap before anything reads it
    (413: JSON for the API, a page for the screens)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes():
            err = too_large()
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {**err.as_dict(), "request_id": getattr(request, "request_id", None)}, status=413
                )
            html = render_to_string("common/too_large.html", {"message": err.message}, request=request)
            return HttpResponse(html, status=413)
        return self.get_response(request)
