"""Helpers for tests that cross intake and decisions (no test-framework imports). They live in
decisions, the upper of the two: intake never imports decisions (not even in its helpers)."""

from __future__ import annotations

from jiuzhu.intake import handling

from .grants import grant_sign


def grant_signed(
    *, actor, approver, referral, amount, start_month, note="按实际需要核定", period=None, today=None
):
    """Grant ``amount`` on ``referral`` as a unit would for a household the rules do not find
    eligible (or above the rule's amount): with a written reason, held, then signed by
    ``approver`` (``grants.grant_sign``). Returns the referral, granted."""
    r = handling.referral_grant(
        actor=actor,
        referral=referral,
        amount=amount,
        start_month=start_month,
        note=note,
        period=period,
        today=today,
    )
    if r.held_grant is not None:
        grant_sign(actor=approver, request=r.held_grant, today=today)
    r.refresh_from_db()
    return r
