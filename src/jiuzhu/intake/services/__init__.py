"""Intake writes at the window: applications, documents, authorisations, referrals (分办) and
emergency aid first (先行救助). The department's handling of a referral is in ``handling``.

Every service is one transaction with keyword-only arguments; ``actor`` is the staff user,
``today`` defaults to the local date (tests pass it to pin the calendar).

Split by resource (issue 15): ``applications``, ``referrals``, ``emergency``, ``public``
(tracking), with ``base`` for what they share. The names are re-exported here so
``from jiuzhu.intake import services`` keeps working."""

from __future__ import annotations

from .applications import (
    adults,
    application_create,
    application_create_with_household,
    authorisation_record,
    document_add,
)
from .base import (
    ADULT_AGE,
    actor_name,
    close_if_done,
    ensure_window_of,
    ensure_window_staff,
    event,
    get_application,
)
from .emergency import emergency_complete, emergency_grant
from .public import Throttled, track_limits, track_lookup
from .referrals import refer

__all__ = [
    "ADULT_AGE",
    "actor_name",
    "event",
    "ensure_window_staff",
    "ensure_window_of",
    "close_if_done",
    "get_application",
    "application_create",
    "application_create_with_household",
    "document_add",
    "authorisation_record",
    "adults",
    "refer",
    "emergency_grant",
    "emergency_complete",
    "Throttled",
    "track_limits",
    "track_lookup",
]
