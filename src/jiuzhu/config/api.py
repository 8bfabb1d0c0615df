"""The JSON API (django-ninja). Each domain app contributes a ``router`` in its ``api.py``.

Every 4xx and 5xx is ``{"code", "field", "message", "request_id"}`` (``jiuzhu.common.openapi.ErrorOut``)
with a stable ``code``: the typed errors of ``jiuzhu.common.errors``, parameters that do not parse
(422), CSRF and log-in failures, and server errors (500, logged with traceback and request id). The
OpenAPI document names each app's schemas apart and lists every operation's error statuses
(``jiuzhu.common.openapi``)."""

from __future__ import annotations

import importlib
import logging

from django.conf import settings
from django.db import connection
from django.http import Http404
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import SessionAuth

from jiuzhu.common import bounds
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.openapi import ErrorOut, JiuzhuOpenAPISchema
from jiuzhu.common.requests import error_body, status_error_body

logger = logging.getLogger("jiuzhu.api")


class StaffSession(SessionAuth):
    """Session log-in (the browser's) — staff only; CSRF checked for unsafe methods."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated else None


class JiuzhuAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return JiuzhuOpenAPISchema(self, path_prefix)


api = JiuzhuAPI(
    title="Jiuzhu 救助 API",
    version="1",
    description=(
        "社会救助一体化平台 JSON API。所有 4xx/5xx 错误统一返回 {code, field, message, request_id}；"
        "code 稳定，可供程序判断；request_id 与响应头 X-Request-ID 及服务器日志一致。"
    ),
    auth=StaffSession(csrf=True),
    urls_namespace="api",
)


def _error(request, status: int, **body):
    return api.create_response(request, error_body(request, **body), status=status)


@api.exception_handler(JiuzhuError)
def _jiuzhu_error(request, exc: JiuzhuError):
    return api.create_response(request, error_body(request, **exc.as_dict()), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query", "path", "form")]
        errors.append({"field": ".".join(loc), "message": bounds.message(e), "type": e.get("type", "")})
    first = errors[0] if errors else {"field": None, "message": "请求参数不合格"}
    return _error(
        request, 422, code="invalid_request", field=first["field"], message=first["message"], errors=errors
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return _error(request, 401, code="unauthenticated", message="请先登录")


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's own refusals: the CSRF check of the session log-in, a body that is not JSON.
    if exc.status_code == 403 and "CSRF" in str(exc):
        return _error(request, 403, code="csrf_failed", message="CSRF 校验失败：请刷新页面后重试")
    if str(exc).startswith("Cannot parse request body"):
        return _error(request, 400, code="malformed_body", message="请求体不是合法的 JSON")
    return api.create_response(request, status_error_body(request, exc.status_code), status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, code="not_found", message="记录不存在")


@api.exception_handler(Exception)
def _server_error(request, exc):
    logger.error(
        "unhandled %s on %s %s",
        type(exc).__name__,
        request.method,
        request.path,
        exc_info=exc,
        extra={"status_code": 500, "request_id": getattr(request, "request_id", None)},
    )
    return api.create_response(request, status_error_body(request, 500), status=500)


class HealthOut(Schema):
    status: str
    database: str | None = None
    vendor: str | None = None


@api.get("/health", auth=None, tags=["system"], response={200: HealthOut, 503: ErrorOut}, exclude_none=True)
def health(request):
    """Liveness and database reachability. Only a logged-in caller learns which database it is;
    the failure itself goes to the log, never to the caller (it names the host)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
    except Exception:  # the point is to report it, not to crash
        logger.exception("health: database unreachable")
        return Status(503, error_body(request, code="database_unavailable", message="数据库不可用"))
    if request.user.is_authenticated:
        return {"status": "ok", "database": "ok", "vendor": connection.vendor}
    return {"status": "ok"}


for _app in settings.INSTALLED_APPS:
    if not _app.startswith("jiuzhu."):
        continue
    try:
        _module = importlib.import_module(f"{_app}.api")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.api":
            raise
        continue
    api.add_router(getattr(_module, "PREFIX", "/" + _app.split(".")[1]), _module.router)
