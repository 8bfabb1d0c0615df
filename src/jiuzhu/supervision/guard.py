"""A supervisor reads everything and changes nothing (DOMAIN §1). One guard for the whole
platform, in ``MIDDLEWARE`` after authentication: any unsafe request (POST, PUT, PATCH,
DELETE) by a user whose effective role is supervisor is refused with 403 — JSON under /api/
(``{"code": "forbidden", "reason": "supervisor_read_only", …}``: the platform's permission code,
so clients treat it like any refusal, and a stable reason saying why), a page elsewhere — unless it is one of the few
that change no case data: logging out, switching the language, the supervision app's own
audit searches and exports, and the export jobs of what he reads (screening report, ledger)."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from jiuzhu.common import masking as m

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
CODE = "forbidden"  # the platform's code for a refused permission (common.errors.PermissionDenied)
REASON = "supervisor_read_only"
MESSAGE = "监督人员只能查阅，不能新增、修改或删除任何数据"
# url names whose unsafe requests a supervisor may still make
ALLOWED_NAMES = (
    "registry:logout",
    "registry:login",
    "registry:login_verify",
    "registry:login_enrol",
    "registry:account",
    "registry:account_enrol",
    "set_language",
    "supervision:audit",
    "supervision:audit_export",
    # exports of what a supervisor reads, built by a background job (the job's row is all
    # they write)
    "screening:report",
    "payments:ledger_export",
)
ALLOWED_API_PREFIXES = ("/api/supervision/audit", "/api/payments/ledger/export", "/api/screening/report")


def _allowed_paths() -> frozenset[str]:
    paths = set()
    for name in ALLOWED_NAMES:
        try:
            paths.add(reverse(name))
        except NoReverseMatch:
            continue
    return frozenset(paths)


def is_refused(request) -> bool:
    if request.method in SAFE_METHODS:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if (getattr(user, "effective_role", "") or "") != m.SUPERVISOR:
        return False
    path = request.path_info
    if path in _allowed_paths() or path.startswith(ALLOWED_API_PREFIXES):
        return False
    return True


class SupervisorReadOnlyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_refused(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse(
                    {"code": CODE, "field": None, "message": MESSAGE, "reason": REASON}, status=403
                )
            return render(
                request, "supervision/read_only.html", {"message": MESSAGE, "code": REASON}, status=403
            )
        return self.get_response(request)
