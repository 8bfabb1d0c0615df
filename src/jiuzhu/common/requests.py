"""Request id and the API's one error shape at the edge of the site.

``RequestIdMiddleware`` (outermost) gives every request an id — the caller's ``X-Request-ID`` when
it is a short token, else a new one — on ``request.request_id``, in every log line of the request
(``current_request_id()``) and back in the ``X-Request-ID`` response header.

``ApiErrorMiddleware`` keeps ``/api/`` answers in ``{"code","field","message","request_id"}``
even where ninja's handlers never run: an unknown path (404) or method (405), a request Django
refused before the view (400, 413), an exception outside the view (500, logged with its traceback
by ``django.request``). It also refuses NUL and other control characters in the path and query
string with 422 before any view or database sees them.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from urllib.parse import unquote

from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse

_request_id: ContextVar[str | None] = ContextVar("jiuzhu_request_id", default=None)
_GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# C0 controls but tab/LF/CR, DEL and the C1 block: never meaningful in a parameter, and PostgreSQL
# refuses NUL in text outright.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

API_PREFIX = "/api/"

# Codes for the statuses the platform answers without a typed error behind them.
STATUS_CODES = {
    400: ("bad_request", "请求无法处理"),
    401: ("unauthenticated", "请先登录"),
    403: ("forbidden", "无权执行此操作"),
    404: ("not_found", "接口或记录不存在"),
    405: ("method_not_allowed", "此接口不支持该请求方法"),
    413: ("too_large", "请求内容过大"),
    422: ("invalid_request", "请求参数不合格"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
    500: ("server_error", "服务器内部错误，已记录；请把请求编号告诉管理员"),
    503: ("unavailable", "服务暂不可用"),
}


def current_request_id() -> str | None:
    return _request_id.get()


def error_body(request, *, code: str, message: str, field: str | None = None, **extra) -> dict:
    return {
        "code": code,
        "field": field,
        "message": message,
        "request_id": getattr(request, "request_id", None) or current_request_id() or "",
        **extra,
    }


def status_error_body(request, status: int, **overrides) -> dict:
    code, message = STATUS_CODES.get(status, ("server_error" if status >= 500 else "bad_request", ""))
    return error_body(request, **{"code": code, "message": message, **overrides})


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.request_id = incoming if _GOOD_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def _control_character_at(request) -> str | None:
    """The name of the first path segment or query parameter holding a control character."""
    if CONTROL.search(unquote(request.path)):
        return "path"
    for key, values in request.GET.lists():
        if CONTROL.search(key):
            return "query"
        if any(CONTROL.search(v) for v in values):
            return key
    return None


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        try:
            field = _control_character_at(request)
        except SuspiciousOperation:  # e.g. too many fields: Django's answer would be an HTML page
            return JsonResponse(status_error_body(request, 400), status=400)
        if field:
            return JsonResponse(
                error_body(
                    request, code="control_character", field=field, message="参数中含有不允许的控制字符"
                ),
                status=422,
            )
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            replaced = JsonResponse(
                status_error_body(request, response.status_code), status=response.status_code
            )
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
