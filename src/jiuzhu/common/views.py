"""View helpers every area's screens share."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .errors import JiuzhuError


def back_url(request, fallback: str) -> str:
    """Where the user came from (the form's ``next``, else the referrer) when it is a page of
    this site; otherwise ``fallback`` (a URL or URL name). Never redirects off the site."""
    for url in (request.POST.get("next"), request.META.get("HTTP_REFERER")):
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return url
    return resolve_url(fallback)


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
