"""Staff read models: an application, a referral and a document as a person of a given role
sees them (masked per role, reads logged)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ninja import Field, Schema

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.labels import label
from jiuzhu.registry.models import User

from ..access import can_view, ensure_can_view
from ..models import Application, Referral
from ..ports import entitlements
from .applications import chains
from .authorisations import missing_authorisations
from .public import result_view
from .published import masked_applicant


def document_for(user, doc_id: int):
    """An application's document file for ``user`` to open: the application must be his to see
    and the household within his ``document.read`` scope (another town cannot read it); the read
    is logged."""
    from jiuzhu.common import scope
    from jiuzhu.common.errors import NotFound

    from ..models import Document

    doc = Document.objects.select_related("application", "application__household").filter(pk=doc_id).first()
    if doc is None:
        raise NotFound("材料不存在", field="document")
    ensure_can_view(user, doc.application)
    scope.read(
        user,
        "document.read",
        household=doc.application.household,
        object_type="intake.document",
        object_id=doc.pk,
        purpose="查阅申请材料",
    )
    return doc


class ResultOut(Schema):
    kind: str
    amount: str | None = None
    period: str | None = None
    period_display: str | None = None
    start_month: str | None = None
    note: str | None = None
    reasons: str | None = None
    basis: str | None = None
    alternatives: str | None = None
    charity: str | None = None


# A referral as staff see it (the API's answer and the application page): the one declaration
# of its shape, filled by ``referral_view`` (a comment, not a docstring: it would show in OpenAPI).
class ReferralOut(Schema):
    id: int
    version: int = Field(..., description="乐观锁版本：操作时回传，可防止覆盖他人的处理")
    application: str
    service_code: str
    service_name: str
    category: str
    unit: str
    unit_name: str
    leg: int
    chain_root: int | None
    transferred_from: int | None
    state: str
    state_display: str
    referred_on: date
    limit_days: int
    due_on: date
    due_warning: str
    paused_since: date | None
    paused_days: int
    missing_material: str
    closed_on: date | None
    transfer_reason: str
    cause: str = Field("", description="临时救助事由代码（列表）")
    cause_display: str = Field("", description="事由名称")
    cause_note: str = Field("", description="事由说明（自由文字）")
    result: ResultOut | None
    proposal: dict
    flag: str
    actions: list[str] = Field(..., description="当前用户此刻可执行的操作")
    held_grant: dict | None = Field(
        None,
        description="待第二人签批的给付（id, amount, level, rest_to_charity: 超过最高档转介慈善的金额）；签批前不发放",
    )


# How the fields of ``ReferralOut`` that are not a Referral attribute of the same name are read
# (the others are read by name).
_REFERRAL_READS: dict[str, Callable[[Referral, Any], Any]] = {
    "id": lambda r, user: r.pk,
    "application": lambda r, user: r.application.tracking_code,
    "unit": lambda r, user: r.unit.code,
    "unit_name": lambda r, user: r.unit.name,
    "chain_root": lambda r, user: r.chain_root_id,
    "transferred_from": lambda r, user: r.transferred_from_id,
    "state_display": lambda r, user: r.get_state_display(),
    "cause_display": lambda r, user: r.get_cause_display(),
    "result": lambda r, user: result_view(r),
    "actions": lambda r, user: _actions(r, user),
    "held_grant": lambda r, user: _held_grant(r),
}


def _actions(r: Referral, user) -> list[str]:
    from ..handling import allowed_actions

    return allowed_actions(r, user) if user is not None else []


def referral_view(r: Referral, user=None) -> dict:
    """The referral as ``ReferralOut`` declares it (``actions``: what ``user`` may do now)."""
    return {
        name: _REFERRAL_READS[name](r, user) if name in _REFERRAL_READS else getattr(r, name)
        for name in ReferralOut.model_fields
    }


def _held_grant(r: Referral) -> dict | None:
    """A grant of this referral waiting for a second signature (grant control)."""
    req = entitlements().pending_grant(r)
    if req is None:
        return None
    return {
        "id": req.pk,
        "amount": f"{req.amount:.2f}",
        "level": req.level,
        "level_display": req.get_level_display(),
        "rest_to_charity": None if req.need_amount is None else f"{req.rest_to_charity:.2f}",
    }


def application_view(application: Application, user) -> dict:
    """The application as ``user`` may see it (names and ID numbers masked by role)."""
    role = getattr(user, "effective_role", "") or ""
    app = application
    on = clock.today()
    return {
        "tracking_code": app.tracking_code,
        "household": app.household.code,
        "window": app.window.code,
        "window_name": app.window.name,
        "applicant": masked_applicant(app, role),
        "requester_kind": app.requester_kind,
        "requester_kind_display": app.get_requester_kind_display(),
        "requester_name": m.present("name", app.requester_name, role) if app.requester_name else "",
        "needs": app.needs,
        "needs_display": app.needs_display,
        "description": app.description,
        "emergency_cause": app.emergency_cause,
        "emergency_cause_display": app.get_emergency_cause_display(),
        "emergency_cause_note": app.emergency_cause_note,
        "promise_signed": app.promise_signed,
        "received_at": app.received_at,
        "received_on": app.received_on,
        "status": app.status,
        "status_display": app.get_status_display(),
        "referrals": [referral_view(r, user) for legs in chains(app) for r in legs],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "kind_display": d.get_kind_display(),
                "title": d.title,
                "original_name": d.original_name,
                "content_type": d.content_type,
                "size": d.size,
                "sha256": d.sha256,
                "referral": d.referral_id,
                "uploaded_at": d.uploaded_at,
            }
            for d in app.documents.all()
        ],
        "authorisations": [
            {
                "id": a.pk,
                "person": m.present("name", a.person.name, role),
                "scope": a.scope,
                "service_code": a.service_code,
                "service_name": label("service", a.service_code),
                "signed_on": a.signed_on,
                "valid_until": a.valid_until,
                "revoked_on": a.revoked_on,
                "document": a.document_id,
            }
            for a in app.household.authorisations.select_related("person")
        ],
        "missing_authorisations": [
            {"person_id": p.pk, "name": m.present("name", p.name, role)}
            for p in missing_authorisations(app.household, on=on)
        ],
        "emergency_aid": [
            {
                "id": a.pk,
                "version": a.version,
                "amount": f"{a.amount:.2f}",
                "cause": a.cause,
                "cause_display": a.get_cause_display(),
                "granted_on": a.granted_on,
                "file_due_on": a.file_due_on,
                "state": a.state,
                "state_display": a.get_state_display(),
                "completed_on": a.completed_on,
            }
            for a in app.emergency_aids.all()
        ],
        "events": [
            {
                "at": e.at,
                "kind": e.kind,
                "kind_display": e.get_kind_display(),
                "actor": e.actor_name,
                "unit": e.unit.name if e.unit is not None else "",
                "referral": e.referral_id,
                "note": e.note,
            }
            for e in app.events.select_related("unit")
        ],
    }


def chain_entries(*, household, role: str):
    """The household's assistance chain from intake: every step of every application
    (see ``jiuzhu.registry.chain``)."""
    from django.urls import reverse

    from jiuzhu.registry.chain import ChainEntry

    from ..models import CaseEvent

    events = (
        CaseEvent.objects.filter(application__household=household)
        .select_related("application", "referral", "unit")
        .order_by("-at", "-id")[:500]
    )
    for ev in events:
        app = ev.application
        service = ev.referral.service_name if ev.referral is not None else ""
        yield ChainEntry(
            at=ev.at,
            area="受理",
            title=f"{ev.get_kind_display()}{'：' + service if service else ''}",
            detail=ev.note[:200],
            unit=ev.unit.name if ev.unit is not None else "",
            url=reverse("intake:application", args=[app.tracking_code]),
        )


def _chain_application(actor: User, household, code):
    app = Application.objects.filter(tracking_code=code).first()
    return app is not None and can_view(actor, app)


# registry.chain: a chain link to an application is kept only when its page would open
CHAIN_LINKS = {"intake:application": _chain_application}
