"""The JSON API (django-ninja). Each domain app contributes a ``router`` in its ``api.py``;
errors come back as ``{"code", "field", "message"}`` with a stable ``code``."""

from __future__ import annotations

import importlib

from django.conf import settings
from django.db import connection
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import SessionAuth

from jiuzhu.common.errors import JiuzhuError


class StaffSession(SessionAuth):
    """Session log-in (the browser's) — staff only; CSRF checked for unsafe methods."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated else None


api = NinjaAPI(
    title="Jiuzhu 救助 API",
    version="1",
    description="社会救助一体化平台 JSON API。错误统一返回 {code, field, message}；code 稳定，可供程序判断。",
    auth=StaffSession(csrf=True),
    urls_namespace="api",
)


@api.exception_handler(JiuzhuError)
def _jiuzhu_error(request, exc: JiuzhuError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(loc), "message": e.get("msg", ""), "type": e.get("type", "")})
    first = errors[0] if errors else {"field": None, "message": ""}
    return api.create_response(
        request,
        {"code": "invalid_request", "field": first["field"], "message": first["message"], "errors": errors},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "field": None, "message": "请先登录"}, status=401
    )


@api.get("/health", auth=None, tags=["system"])
def health(request):
    """Liveness and database reachability."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        db = "ok"
    except Exception as exc:  # the point is to report it, not to crash
        return api.create_response(request, {"status": "error", "database": str(exc)}, status=503)
    return {"status": "ok", "database": db, "vendor": connection.vendor}


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
