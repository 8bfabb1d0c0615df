"""View helpers every area's screens share."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import clock, jobs, scope, services
from .errors import Gone, JiuzhuError, NotFound, PermissionDenied
from .exports import download


def back_url(request, fallback: str) -> str:
    """Where the user came from (the form's ``next``, else the referrer) when it is a page of
    this site; otherwise ``fallback`` (a URL or URL name). Never redirects off the site."""
    for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return resolve_url(fallback)


def forbidden(request, exc: JiuzhuError):
    """The 403 page with the refusal's Chinese message."""
    return render(request, "registry/forbidden.html", {"message": exc.message}, status=403)


def guarded(view=None, *, missing: tuple[type[Exception], ...] = (), not_found: str = "没有该记录"):
    """Decorator for the pages of a logged-in user, the one guard of every app's views: a
    refusal (``PermissionDenied``, e.g. from the scope table) shows the 403 page with its
    message; ``NotFound`` is a 404 with its own message, and the ``missing`` exceptions (a
    model's ``DoesNotExist``) a 404 saying ``not_found``. Use as ``@guarded`` or
    ``guarded(missing=(School.DoesNotExist,), not_found="没有该学校")``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as exc:
                return forbidden(request, exc)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except missing:
                raise Http404(not_found) from None

        return login_required(wrapper)

    return decorate(view) if view is not None else decorate


def post_action(fallback: str, *, check=None, on_error=None):
    """Decorator for POST views of a logged-in user: a broken rule (``JiuzhuError``) becomes an
    error message on the page the user came from. ``check(user)`` runs first (it may raise);
    ``on_error(request, exc)`` may keep more of the error for the next page."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                if check is not None:
                    check(request.user)
                return view(request, *args, **kwargs)
            except JiuzhuError as exc:
                messages.error(request, exc.message)
                if on_error is not None:
                    on_error(request, exc)
                return redirect(back_url(request, fallback))

        return login_required(require_POST(wrapper))

    return decorate


@login_required
def training_clock(request):
    """An administrator of a training site moves the platform's date forward (GET: the form)."""
    if not scope.allows(request.user, "training_clock.move"):
        raise DjangoPermissionDenied
    if request.method == "POST":
        return _training_clock_advance(request)
    return render(
        request,
        "common/training_clock.html",
        {"site": clock.training_site(), "today": clock.today(), "days": clock.offset_days()},
    )


@post_action("common:training_clock")
def _training_clock_advance(request):
    raw = request.POST.get("days", "").strip()
    days = int(raw) if raw.isdigit() else 0
    total = services.training_clock_advance(actor=request.user, days=days)
    messages.success(request, f"平台日期已向后拨动到 {clock.today():%Y-%m-%d}（比实际日期晚 {total} 天）")
    return redirect("common:training_clock")


@login_required
def job(request, job_id: int):
    """A background job's page: progress while it runs (HTMX polls the panel), then its result
    and the way on, or why it failed."""
    try:
        j = jobs.job_for(request.user, job_id)
    except JiuzhuError as exc:
        raise Http404(exc.message) from None
    template = "common/_job.html" if request.headers.get("HX-Request") else "common/job.html"
    return render(request, template, {"job": j})


@login_required
def job_file(request, job_id: int):
    """Download the file a finished export job kept (its starter or an administrator; logged)."""
    try:
        name, content_type, data = jobs.job_file(user=request.user, job_id=job_id)
    except Gone:  # deleted after its keeping time: the job's page says so
        return render(request, "common/job.html", {"job": jobs.job_for(request.user, job_id)}, status=410)
    except JiuzhuError as exc:
        raise Http404(exc.message) from None
    return download(data, name, content_type=content_type)


@post_action("registry:home")
def job_retry(request, job_id: int):
    """Queue again a job its worker abandoned (or that crashed); on to the new job's page."""
    again = jobs.retry(actor=request.user, job_id=job_id)
    messages.success(request, "已重新排队")
    return redirect("common:job", again.pk)
