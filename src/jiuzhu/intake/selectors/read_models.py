"""Staff read models: an application, a referral and a document as a person of a given role
sees them (masked per role, reads logged)."""

from __future__ import annotations

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.labels import label

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


def referral_view(r: Referral, user=None) -> dict:
    from ..handling import allowed_actions

    return {
        "id": r.pk,
        "version": r.version,
        "application": r.application.tracking_code,
        "service_code": r.service_code,
        "service_name": r.service_name,
        "category": r.category,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "leg": r.leg,
        "chain_root": r.chain_root_id,
        "transferred_from": r.transferred_from_id,
        "state": r.state,
        "state_display": r.get_state_display(),
        "referred_on": r.referred_on,
        "limit_days": r.limit_days,
        "due_on": r.due_on,
        "due_warning": r.due_warning,
        "paused_since": r.paused_since,
        "paused_days": r.paused_days,
        "missing_material": r.missing_material,
        "closed_on": r.closed_on,
        "transfer_reason": r.transfer_reason,
        "cause": r.cause,
        "cause_display": r.get_cause_display(),
        "cause_note": r.cause_note,
        "result": result_view(r),
        "proposal": r.proposal,
        "flag": r.flag,
        "actions": allowed_actions(r, user) if user is not None else [],
        "held_grant": _held_grant(r),
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
                "unit": e.unit.name if e.unit_id else "",
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
        service = ev.referral.service_name if ev.referral_id else ""
        yield ChainEntry(
            at=ev.at,
            area="受理",
            title=f"{ev.get_kind_display()}{'：' + service if service else ''}",
            detail=ev.note[:200],
            unit=ev.unit.name if ev.unit_id else "",
            url=reverse("intake:application", args=[app.tracking_code]),
        )


def _chain_application(actor, household, code):
    app = Application.objects.filter(tracking_code=code).first()
    return app is not None and can_view(actor, app)


# registry.chain: a chain link to an application is kept only when its page would open
CHAIN_LINKS = {"intake:application": _chain_application}
