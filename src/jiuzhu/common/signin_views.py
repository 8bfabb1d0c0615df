"""The sign-in screens: password, then the TOTP code (or its enrolment), and the account page
where anyone may add a second factor or change the password (see ``common.signin``)."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import signin


class CodeForm(forms.Form):
    token = forms.RegexField(
        label="动态口令",
        regex=r"^\s*\d{6}\s*$",
        error_messages={"required": "请输入6位动态口令", "invalid": "动态口令为6位数字"},
    )


class SignInView(auth_views.LoginView):
    """Step one: the password. A user who needs a second factor is not logged in here."""

    template_name = "registry/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if signin.needs_second_step(user):
            signin.begin(self.request, user, self.get_success_url())
            if signin.confirmed_device(user) is None:
                return redirect("registry:login_enrol")
            return redirect("registry:login_verify")
        return redirect(signin.complete(self.request, user))


def _locked(request, user) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"username": user.username})


@never_cache
@sensitive_post_parameters("token")
def login_verify(request):
    """Step two: the code from the authenticator app."""
    user = signin.pending_user(request)
    if user is None:
        return redirect("registry:login")
    device = signin.confirmed_device(user)
    if device is None:
        return redirect("registry:login_enrol")
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if _locked(request, user):
            request.session.pop(signin.PENDING, None)
            return lockout_response(request)
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["token"].strip()):
            return redirect(signin.complete(request, user, device))
        signin.code_failed(request, user)
        error = "动态口令不正确或已过期，请重新输入" if allowed else "动态口令错误次数过多，请稍后再试"
    return render(request, "signin/verify.html", {"form": form, "error": error, "pending": user})


def _enrol(request, user, *, done):
    """Shared by first enrolment at log-in and by the account page: QR code + key, confirm a code."""
    device = signin.enrolment_device(user)
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            return done(device)
        error = "动态口令不正确，请核对手机时间后重新输入"
    ctx = {
        "form": form,
        "error": error,
        "qr": signin.qr_svg_uri(device),
        "key": signin.manual_key(device),
        "pending": user,
        "required": signin.second_factor_required(user),
    }
    return render(request, "signin/enrol.html", ctx)


@never_cache
@sensitive_post_parameters("token")
def login_enrol(request):
    """Step two for a role that needs a second factor and has none yet."""
    user = signin.pending_user(request)
    if user is None:
        return redirect("registry:login")
    if signin.confirmed_device(user) is not None:
        return redirect("registry:login_verify")

    def done(device):
        return redirect(signin.complete(request, user, device))

    return _enrol(request, user, done=done)


@login_required
@never_cache
def account(request):
    """账户安全: the second factor's state and the password change (Django's full validators)."""
    user = request.user
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, "密码已修改")
        return redirect("registry:account")
    return render(
        request,
        "signin/account.html",
        {
            "form": form,
            "device": signin.confirmed_device(user),
            "required": signin.second_factor_required(user),
        },
    )


@login_required
@never_cache
@sensitive_post_parameters("token")
def account_enrol(request):
    if signin.confirmed_device(request.user) is not None:
        return redirect("registry:account")

    def done(device):
        messages.success(request, "动态口令已启用，今后登录须输入动态口令")
        return redirect("registry:account")

    return _enrol(request, request.user, done=done)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in (``AXES_LOCKOUT_CALLABLE``): a page under
    /login/, JSON elsewhere."""
    from django.conf import settings
    from django.http import JsonResponse

    minutes = settings.LOCKOUT_MINUTES
    if request.path.startswith("/api/"):
        message = f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试"
        return JsonResponse({"code": "locked_out", "field": None, "message": message}, status=429)
    return render(request, "signin/locked.html", {"lockout_minutes": minutes}, status=429)


@login_required
@never_cache
@sensitive_post_parameters("password")
def staff_new(request):
    """新建工作人员账号 (administrators): the account and, for a role that needs it (or when
    ticked), its TOTP device. The QR code and key are shown on the answer to this POST only;
    no page shows them again (a lost phone means a new device, made by the administrator)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model

    from .errors import JiuzhuError

    Unit, User = apps.get_model("registry", "Unit"), get_user_model()  # common sits below registry

    try:
        signin.scope.require(request.user, "staff.create")
    except JiuzhuError as exc:
        return render(request, "signin/staff_new.html", {"refused": exc}, status=exc.status)
    post = request.POST
    error = None
    if request.method == "POST":
        try:
            user, device = signin.staff_create(
                actor=request.user,
                username=post.get("username", ""),
                display_name=post.get("display_name", ""),
                role=post.get("role", ""),
                unit_code=post.get("unit", ""),
                password=post.get("password", ""),
                with_device=post.get("with_device") == "on",
            )
        except JiuzhuError as exc:
            error = exc
        else:
            ctx = {"new": user, "role_name": dict(User.Role.choices)[user.role]}
            if device is not None:
                ctx.update(qr=signin.qr_svg_uri(device), key=signin.manual_key(device))
            return render(request, "signin/staff_created.html", ctx)
    return render(
        request,
        "signin/staff_new.html",
        {
            "error": error,
            "values": post,
            "roles": User.Role.choices,
            "units": Unit.objects.order_by("kind", "sort_order", "code"),
            "required_roles": signin.second_factor_roles(),
        },
        status=400 if error else 200,
    )
