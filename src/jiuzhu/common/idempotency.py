"""``Idempotency-Key`` on the API's creating requests.

A client that may send a request twice (a retry after a timeout, a double click) sends a key
of its choosing with each logical request, as in the IETF draft "The Idempotency-Key HTTP
Header Field": every JSON ``POST`` under ``/api/`` honours it. The first answer (any status
below 500) is stored per user and key; the same key again replays it — same status, same body
— with ``Idempotent-Replayed: true`` and without running the request again. The same key with
another body or path is refused (422 ``idempotency_key_reused``; a key over 100 characters or with control characters
422 ``invalid_idempotency_key``; both in the platform's error shape with the request id). Two requests with one key at
the same moment: the loser of the unique index replays the winner's answer; what the request
creates is protected by its own service (an application is one per household and needs).
Keys are kept for ``IDEMPOTENCY_DAYS`` (default 1).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from . import values
from .errors import ValidationFailed
from .models import IdempotentResponse
from .requests import error_body

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _replay(row: IdempotentResponse) -> HttpResponse:
    resp = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    resp["Idempotent-Replayed"] = "true"
    return resp


def _refused(request, message: str, code: str = "idempotency_key_reused") -> JsonResponse:
    return JsonResponse(error_body(request, code=code, field="Idempotency-Key", message=message), status=422)


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "").strip()
        user = getattr(request, "user", None)
        if (
            not key
            or request.method != "POST"
            or not request.path.startswith("/api/")
            or not request.content_type.startswith("application/json")
            or user is None
            or not user.is_authenticated
        ):
            return self.get_response(request)
        try:
            key = values.text(key, field="Idempotency-Key", max_length=100, label="Idempotency-Key")
        except ValidationFailed as exc:
            return _refused(request, exc.message, code="invalid_idempotency_key")
        digest = hashlib.sha256(request.body).hexdigest()
        since = timezone.now() - timedelta(days=getattr(settings, "IDEMPOTENCY_DAYS", 1))
        IdempotentResponse.objects.filter(user=user, at__lt=since).delete()
        row = IdempotentResponse.objects.filter(user=user, key=key).first()
        if row is not None:
            if row.body_sha256 != digest or row.path != request.path:
                return _refused(request, "该 Idempotency-Key 已用于另一请求，请换一个新的")
            return _replay(row)
        response = self.get_response(request)
        if response.status_code >= 500 or getattr(response, "streaming", False):
            return response
        try:
            with transaction.atomic():
                IdempotentResponse.objects.create(
                    user=user,
                    key=key,
                    method=request.method,
                    path=request.path[:300],
                    body_sha256=digest,
                    status=response.status_code,
                    content_type=response.get("Content-Type", "application/json"),
                    body=response.content,
                )
        except IntegrityError:
            # the same key raced this request and stored its answer first: give that one
            row = IdempotentResponse.objects.filter(user=user, key=key).first()
            if row is not None and row.body_sha256 == digest:
                return _replay(row)
        return response
