"""Notifications: an in-app row for the unit (or role) concerned, and a copy through a pluggable
sender (SMS, e-mail …). ``settings.JIUZHU_NOTIFY_SENDER`` names the sender class (dotted
path); the default writes one line to the logger ``jiuzhu.notify``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from .models import Notification

DEFAULT_SENDER = "jiuzhu.intake.notify.LogSender"
log = logging.getLogger("jiuzhu.notify")


class LogSender:
    """Writes the notice to the ``jiuzhu.notify`` log (the demo's stand-in for SMS/e-mail)."""

    def send(self, notification: Notification) -> None:
        to = notification.unit.code if notification.unit is not None else f"role:{notification.role}"
        log.info(
            "notify to=%s kind=%s key=%s %s", to, notification.kind, notification.key, notification.message
        )


def sender():
    return import_string(getattr(settings, "JIUZHU_NOTIFY_SENDER", DEFAULT_SENDER))()


def notify(
    *, key: str, kind: str, message: str, unit=None, role: str = "", application=None, referral=None
) -> Notification | None:
    """Record the notice once per ``key`` (a second call with the same key does nothing and
    returns ``None``) and hand it to the sender after the transaction commits."""
    try:
        with transaction.atomic():
            n, created = Notification.objects.get_or_create(
                key=key[:200],
                defaults={
                    "kind": kind,
                    "message": message[:300],
                    "unit": unit,
                    "role": role,
                    "application": application,
                    "referral": referral,
                },
            )
    except IntegrityError:  # a concurrent run created it first
        return None
    if not created:
        return None
    transaction.on_commit(lambda: sender().send(n))
    return n
