"""Staff sign-in: who needs a second factor, the TOTP device, the client address behind a
proxy, and what each log-in writes to the access log.

A log-in is two steps for anyone who must use, or has chosen, a second factor: the password
step (``django.contrib.auth.authenticate``, behind django-axes' lockout) only records a
*pending* sign-in in the session; the session is logged in (``complete``) after the TOTP
code is verified (or, for a required role without a device yet, after enrolment is
confirmed). No other view logs anyone in (the admin's own log-in page redirects here), so a
password alone never reaches a page of a role that needs the second factor.

Access log (``common.AccessLog``, object type ``session``): ``login`` on each completed
log-in, ``login_failed`` on each wrong password or wrong code (the attempted user name kept),
``locked_out`` when django-axes locks the account.
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import masking as m
from . import scope, values
from .errors import ValidationFailed
from .services import log_access

if TYPE_CHECKING:  # the user model is registry's; common imports no app at run time
    from django.http import HttpRequest

    from jiuzhu.registry.models import User


# Roles whose log-in always needs a second factor (issue 13): approvers, verification officers,
# administrators, and whoever the scope table lets prepare or approve payments.
SECOND_FACTOR_ROLES = frozenset({m.APPROVER, m.VERIFICATION_OFFICER, m.ADMIN})
PAYMENT_ACTIONS = ("payment.prepare", "payment.approve")
PENDING = "signin_pending"
PENDING_SECONDS = 300


# --- the client's address --------------------------------------------------------------------


def client_ip(request) -> str:
    """The client's address. Behind ``settings.TRUSTED_PROXIES`` reverse proxies (env
    ``JIUZHU_TRUSTED_PROXIES``, default 0: the demo is reached directly), the address is the
    one the outermost trusted proxy saw, read from the right of ``X-Forwarded-For``; a client
    cannot forge it by sending its own header. Used by the lockout and every throttle."""
    remote = request.META.get("REMOTE_ADDR") or "0.0.0.0"
    hops = int(getattr(settings, "TRUSTED_PROXIES", 0) or 0)
    if not hops:
        return remote
    chain = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    if len(chain) < hops:
        return remote
    candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


# --- who needs the second factor ---------------------------------------------------------------


def second_factor_required(user: User) -> bool:
    """The role needs it (unless the demo setting ``JIUZHU_DEMO_2FA=off`` is in force)."""
    if not getattr(settings, "SECOND_FACTOR_REQUIRED", True):
        return False
    return user.is_superuser or (getattr(user, "effective_role", "") or "") in second_factor_roles()


def second_factor_roles() -> frozenset[str]:
    from .scope import NONE, SCOPE

    pay = {role for (role, action), s in SCOPE.items() if action in PAYMENT_ACTIONS and s != NONE}
    return SECOND_FACTOR_ROLES | pay


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def enrolment_device(user: User) -> TOTPDevice:
    """The user's device being enrolled (unconfirmed), made once and shown until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The device's secret as an authenticator app asks for it (base32, in groups of four)."""
    import base64

    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg_uri(device: TOTPDevice) -> str:
    import segno

    return segno.make(device.config_url, error="m").svg_data_uri(scale=4)


def totp_now(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The current code of a TOTP key (hex) — for tests and the demo console, as an app would."""
    from django_otp.oath import TOTP

    t = TOTP(bytes.fromhex(key_hex), step=step, digits=digits)
    if at is not None:
        t.time = at
    return f"{t.token():0{digits}d}"


# --- an administrator creates a staff account, the second factor pre-enrolled --------------------

USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-")


@transaction.atomic
def staff_create(
    *,
    actor,
    username: str,
    display_name: str,
    role: str,
    unit_code: str,
    password: str,
    with_device: bool = False,
):
    """A staff account made by an administrator (scope table ``staff.create``). Its TOTP device
    is made with it, already confirmed, when the role needs a second factor or ``with_device``:
    the administrator shows its QR code once (``qr_svg_uri``) to the new colleague, whose first
    sign-in then asks for the code. Returns ``(user, device or None)``. Nothing is written when a
    field is wrong (Django's password validators included)."""
    from django.apps import apps
    from django.contrib.auth import password_validation
    from django.core.exceptions import ValidationError

    Unit = apps.get_model("registry", "Unit")  # common sits below registry: looked up by name
    User = auth.get_user_model()
    scope.require(actor, "staff.create")
    username = values.text(username, field="username", max_length=150, label="用户名").lower()
    if not set(username) <= USERNAME_CHARS:
        raise ValidationFailed(
            "用户名只能包含小写字母、数字、点、下划线和连字符", field="username", code="invalid_username"
        )
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"用户名“{username}”已被使用", field="username", code="username_taken")
    display_name = values.text(display_name, field="display_name", max_length=50, label="姓名")
    if role not in dict(User.Role.choices):
        raise ValidationFailed("请选择角色", field="role", code="invalid_role")
    unit = Unit.objects.filter(code=(unit_code or "").strip()).first()
    if unit is None:
        raise ValidationFailed("请选择所属单位", field="unit", code="invalid_unit")
    user = User(username=username, display_name=display_name, role=role, unit=unit)
    try:
        password_validation.validate_password(password or "", user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), field="password", code="weak_password") from None
    user.set_password(password)
    user.save()
    device = None
    if with_device or second_factor_required(user):
        device = TOTPDevice.objects.create(user=user, name="动态口令", confirmed=True)
    log_access(
        user=actor,
        action="create",
        object_type="staff_account",
        object_id=user.pk,
        purpose=f"创建工作人员账号 {username}（{dict(User.Role.choices)[role]}，{unit.name}）"
        + ("，已预置动态口令" if device else ""),
    )
    return user, device


# --- the two steps ----------------------------------------------------------------------------


def needs_second_step(user: User) -> bool:
    return second_factor_required(user) or confirmed_device(user) is not None


def begin(request: HttpRequest, user: User, next_url: str) -> None:
    """Password accepted: remember who is signing in, until the second step or five minutes."""
    request.session[PENDING] = {
        "uid": user.pk,
        "backend": user.backend,
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }


def pending_user(request):
    """The user whose password was accepted in this session and who is not logged in yet."""
    p = request.session.get(PENDING)
    if not p or p.get("until", 0) < time.time():
        request.session.pop(PENDING, None)
        return None
    user = auth.get_user_model().objects.filter(pk=p["uid"], is_active=True).first()
    if user is not None:
        user.backend = p["backend"]
    return user


def complete(request: HttpRequest, user: User, device: TOTPDevice | None = None) -> str:
    """Log the session in (and mark it verified by ``device``); returns where to go next."""
    p = request.session.pop(PENDING, None) or {}
    auth.login(request, user, backend=getattr(user, "backend", None))
    if device is not None:
        otp_login(request, device)
    log_access(
        user=user,
        action="login",
        object_type="session",
        object_id=user.pk,
        purpose=f"登录成功（{'密码+动态口令' if device else '密码'}），来自 {client_ip(request)}",
    )
    return p.get("next") or settings.LOGIN_REDIRECT_URL


def code_failed(request: HttpRequest, user: User) -> None:
    """A wrong TOTP code counts as a failed log-in (lockout and access log alike)."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.username, "second_factor": True}, request=request
    )


# --- lockout backend and the access log --------------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for log-ins through a web request. ``authenticate`` without a
    request (a shell, a management command, a test's ``client.login``) has no client to lock
    out and is passed on to the model backend."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _user_named(username: str):
    return auth.get_user_model().objects.filter(username=username).first() if username else None


@receiver(user_login_failed)
def _log_failed(sender, credentials, request=None, **kwargs):
    if request is None:
        return
    username = (credentials.get("username") or "")[:150]
    why = "动态口令错误" if credentials.get("second_factor") else "用户名或密码错误"
    if getattr(request, "axes_locked_out", False):
        why = "账户已锁定"
    log_access(
        user=_user_named(username),
        username=username or "anonymous",
        action="login_failed",
        object_type="session",
        object_id=username[:60],
        purpose=f"登录失败（{why}），来自 {client_ip(request)}",
    )


@receiver(user_locked_out)
def _log_locked(sender, request=None, username=None, ip_address=None, **kwargs):
    username = (username or "")[:150]
    log_access(
        user=_user_named(username),
        username=username or "anonymous",
        action="locked_out",
        object_type="session",
        object_id=username[:60],
        purpose=f"连续登录失败，账户锁定 {settings.LOCKOUT_MINUTES} 分钟，来自 {ip_address or ''}",
    )
