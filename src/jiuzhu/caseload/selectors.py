"""Reads: import batches and change requests within the reader's scope, and this app's
entries on a household's assistance chain."""

from __future__ import annotations

from jiuzhu.common.scope import CITY, households_in_scope, require
from jiuzhu.registry.models import User

from .models import ChangeRequest, ImportBatch


def batches(*, actor: User):
    scope = require(actor, "caseload.read")
    qs = ImportBatch.objects.select_related("uploaded_by", "approved_by")
    if scope == CITY:
        return qs
    # a unit-scoped reader without a unit reads the batches of uploaders without one, as before
    return (
        qs.filter(uploaded_by__unit__isnull=True)
        if actor.unit_id is None
        else qs.filter(uploaded_by__unit_id=actor.unit_id)
    )


def change_requests(*, actor: User, state: str | None = None, household=None):
    qs = households_in_scope(
        actor,
        "change.read",
        ChangeRequest.objects.select_related("household", "person", "raised_by", "reviewed_by"),
        path="household__",
    )
    if state:
        qs = qs.filter(state=state)
    if household is not None:
        qs = qs.filter(household=household)
    return qs


def changes_to_review(*, actor: User):
    """Pending requests ``actor`` may apply: within ``change.review`` and raised by someone else."""
    qs = households_in_scope(
        actor,
        "change.review",
        ChangeRequest.objects.select_related("household", "person", "raised_by"),
        path="household__",
    )
    return qs.filter(state=ChangeRequest.State.PENDING).exclude(raised_by=actor)


def change_request(*, actor: User, pk: int) -> ChangeRequest:
    from .changes import _get

    c = _get(pk)
    require(actor, "change.read", household=c.household)
    return c


def change_document(*, actor: User, change_id: int, doc_id: int):
    """A change request's document for ``actor`` to open (``change.read`` on its household);
    the read is logged."""
    from jiuzhu.common import scope
    from jiuzhu.common.errors import NotFound

    from .models import ChangeDocument

    doc = (
        ChangeDocument.objects.select_related("change__household")
        .filter(pk=doc_id, change_id=change_id)
        .first()
    )
    if doc is None:
        raise NotFound("材料不存在", field="document", code="document_not_found")
    scope.read(
        actor,
        "change.read",
        household=doc.change.household,
        object_type="caseload.change_document",
        object_id=doc.pk,
        purpose="查阅变更证明材料",
    )
    return doc


def chain_entries(*, household, role):
    """Change requests on the household's time line (applied or not)."""
    from jiuzhu.common.scope import roles_with
    from jiuzhu.registry.chain import ChainEntry

    linked = role in roles_with("change.read")  # no link a role could not open
    for c in ChangeRequest.objects.filter(household=household).select_related("town").order_by("raised_at"):
        when = c.reviewed_at or c.raised_at
        yield ChainEntry(
            at=when,
            area="变更审核",
            title=f"变更申请：{c.get_kind_display()}（{c.get_state_display()}）",
            detail=c.summary,
            unit=c.town.name,
            url=f"/caseload/changes/{c.pk}/" if linked else "",
        )
