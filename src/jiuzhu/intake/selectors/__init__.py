"""Intake reads: proposals for the clerk, authorisations (read by verification), inboxes,
due-soon and overdue lists, the public tracking view and the published results.

Split by resource (issue 15): ``applications`` (inboxes), ``authorisations``, ``proposals``,
``emergency``, ``public`` (tracking), ``published``, ``read_models``; who may see what is
``jiuzhu.intake.access``. The names are re-exported here so ``from jiuzhu.intake import
selectors`` keeps working."""

from __future__ import annotations

from ..access import can_view, ensure_can_view, reads_city_wide
from .applications import (
    DUE_SOON_DAYS,
    DeadlineLists,
    application_detail,
    chains,
    deadline_lists,
    due_soon_until,
    inbox,
    notifications_for,
    window_applications,
)
from .authorisations import (
    authorisation_covers,
    authorisation_expiry,
    authorisation_gaps,
    authorisation_months,
    authorised_persons,
    missing_authorisations,
    signed_authorisations,
)
from .emergency import EmergencyOffer, emergency_offer, open_emergency_aids, urgent_requests
from .proposals import (
    ProposalGroup,
    _exclusive,
    household_facts,
    proposal_groups,
    proposals,
    received_services,
)
from .public import _as_date, failed_lookups, result_view, tracking_row, tracking_view, tracking_view_of_row
from .published import RESULT_COLUMNS, masked_applicant, month_bounds, published_results
from .read_models import CHAIN_LINKS, application_view, chain_entries, document_for, referral_view

__all__ = [
    "authorisation_months",
    "authorisation_expiry",
    "signed_authorisations",
    "authorised_persons",
    "authorisation_covers",
    "authorisation_gaps",
    "missing_authorisations",
    "received_services",
    "household_facts",
    "proposals",
    "ProposalGroup",
    "proposal_groups",
    "_exclusive",
    "DUE_SOON_DAYS",
    "application_detail",
    "chains",
    "inbox",
    "due_soon_until",
    "DeadlineLists",
    "deadline_lists",
    "window_applications",
    "notifications_for",
    "EmergencyOffer",
    "emergency_offer",
    "urgent_requests",
    "open_emergency_aids",
    "result_view",
    "tracking_view",
    "failed_lookups",
    "tracking_row",
    "_as_date",
    "tracking_view_of_row",
    "month_bounds",
    "RESULT_COLUMNS",
    "published_results",
    "masked_applicant",
    "reads_city_wide",
    "can_view",
    "ensure_can_view",
    "document_for",
    "referral_view",
    "application_view",
    "chain_entries",
    "CHAIN_LINKS",
]
