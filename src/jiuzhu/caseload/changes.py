"""Change requests for verified facts (变更申请, maker-checker): a member born, moving in or
out, married or dead; an income, an asset, a disability or illness; a bank account; an
address; a move to another town; a household split or merged.

- ``change_raise``: a clerk or caseworker (for the applicant at the window, or on their own
  knowledge) proposes the change with its reason and documents; the payload is checked with
  the same value checks as the forms and kept with what it replaces (``before``). Nothing of
  the registry changes.
- ``change_effects``: what would follow — each running entitlement of the households
  concerned with the rules' result after the change (amount, eligibility) and the review it
  triggers — computed by applying the change inside a savepoint and rolling it back.
- ``change_approve``: a second person of the right scope (never the raiser) applies it
  through the registry's services, in one transaction with the effects frozen on the request
  and the reviews the rules require opened (a death: within 3 months; another change that
  alters an amount or eligibility: within 10 working days).
- ``change_reject``: sent back with a reason.
- ``deaths_from_police``: each death record of the police dataset (死亡登记) of a registry
  person still recorded alive becomes a change request (raised once per record).

The row lock on the request (SELECT … FOR UPDATE) is taken before its state is checked, so
two reviewers acting at once cannot both apply it.

The payload checks are in ``change_checks``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from jiuzhu.common import clock, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import IllegalTransition, JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.scope import require
from jiuzhu.common.tx import lock
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry import services as registry
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person, Unit, User

from .change_checks import K, _check, _d, _day, _iso, _today
from .models import ChangeDocument, ChangeRequest


def _channel(actor: User, channel: str | None) -> str:
    if channel in (K.Channel.WINDOW, K.Channel.CLERK, K.Channel.CASEWORKER):
        return channel
    return K.Channel.CLERK if role_of(actor) == m.WINDOW_CLERK else K.Channel.CASEWORKER


@transaction.atomic
def change_raise(
    *,
    actor: User,
    household: Household,
    kind: str,
    payload: dict,
    person: Person | None = None,
    reason: str = "",
    channel: str | None = None,
    today: date | None = None,
    document=None,
    document_title: str = "证明材料",
) -> ChangeRequest:
    """Propose a change to a verified fact, with its document if one is given (a refused
    document refuses the request: nothing is kept); nothing of the registry changes yet."""
    require(actor, "change.raise", household=household)
    if kind not in K.Kind.values:
        raise ValidationFailed("未知的变更事项", field="kind", code="invalid_choice")
    today = today or _today()
    data, before, summary = _check(kind, payload or {}, household=household, person=person, today=today)
    reason = values.text(
        reason, field="reason", label="变更原因", max_length=500, required=False, multiline=True
    )
    c = ChangeRequest.objects.create(
        kind=kind,
        channel=_channel(actor, channel),
        household=household,
        person=person,
        town=household.town,
        payload=data,
        before=_jsonable(before),
        summary=summary[:300],
        reason=reason,
        raised_by=actor,
    )
    if document is not None:
        _attach(c, actor=actor, file=document, title=document_title)
    return c


def _jsonable(d: dict) -> dict:
    return {k: (str(v) if isinstance(v, Decimal) else _iso(v)) for k, v in d.items()}


@transaction.atomic
def document_add(*, actor: User, change: ChangeRequest | int, file, title: str) -> ChangeDocument:
    """Attach a document (PDF, JPG or PNG, checked by content) to a pending request."""
    c = _lock(change)
    require(actor, "change.raise", household=c.household)
    if c.state != K.State.PENDING:
        raise IllegalTransition("变更申请已处理，不能再添加材料", field="change", code="wrong_state")
    return _attach(c, actor=actor, file=file, title=title, field="file")


def _attach(c: ChangeRequest, *, actor: User, file, title: str, field: str = "document") -> ChangeDocument:
    from jiuzhu.intake.documents import store

    title = values.text(title, field="title", label="材料名称", max_length=100)
    s = store(file, field=field)
    return ChangeDocument.objects.create(
        change=c,
        title=title,
        path=s.path,
        sha256=s.sha256,
        size=s.size,
        content_type=s.content_type,
        uploaded_by=actor,
    )


# --- applying --------------------------------------------------------------------------------


def _apply(c: ChangeRequest, actor: User) -> dict:
    """Write the change through the registry's services (the caller checked ``change.review``,
    which stands in for their ``household.write``); returns what was written."""
    with registry.applying_reviewed_change():
        return _write(c, actor)


def _write(c: ChangeRequest, actor: User) -> dict:
    p, hh, person = c.payload, c.household, c.person
    if c.kind in (K.Kind.BIRTH, K.Kind.MOVE_IN):
        if p.get("from_household"):
            moving = Person.objects.get(id_number=p["id_number"])
            registry.member_move(actor=actor, person=moving, to_household=hh, relation=p["relation"])
            return {"person": moving.pk, "moved_from": p["from_household"]}
        data = {k: v for k, v in p.items() if k != "from_household"}
        new = registry.member_add(actor=actor, household=hh, data=data)
        return {"person": new.pk}
    if c.kind == K.Kind.DEATH:
        assert person is not None  # a member's change names its member (change_checks)
        registry.member_death(actor=actor, person=person, died_on=_day(p["died_on"]))
        return {"person": person.pk}
    if c.kind == K.Kind.MOVE_OUT:
        assert person is not None  # a member's change names its member (change_checks)
        target = Household.objects.get(code=p["to_household"])
        registry.member_move(actor=actor, person=person, to_household=target, relation=p["relation"])
        return {"person": person.pk, "to_household": target.pk}
    if c.kind == K.Kind.MEMBER_FACTS:
        assert person is not None  # a member's change names its member (change_checks)
        registry.member_update(actor=actor, person=person, data=p["fields"])
        return {"person": person.pk}
    if c.kind == K.Kind.INCOME:
        assert person is not None  # a member's change names its member (change_checks)
        for item in IncomeItem.objects.filter(pk__in=p["replaces"], person=person):
            registry.record_removal(actor=actor, obj=item)
        item = registry.income_add(
            actor=actor,
            person=person,
            kind=p["kind"],
            monthly_amount=p["monthly_amount"],
            period_start=_day(p["period_start"]),
            period_end=_day(p["period_end"]),
            source="change_request",
            note=p.get("note") or "",
        )
        return {"income": item.pk}
    if c.kind == K.Kind.ASSET:
        if p.get("remove"):
            registry.record_removal(actor=actor, obj=Asset.objects.get(pk=p["remove"]))
            return {"removed": p["remove"]}
        owner = Person.objects.filter(pk=p.get("person_id")).first() if p.get("person_id") else None
        a = registry.asset_add(
            actor=actor,
            household=hh,
            kind=p["kind"],
            value=p["value"],
            as_of=_day(p["as_of"]),
            person=owner,
            floor_area=p.get("floor_area"),
            vehicle_purpose=p.get("vehicle_purpose") or "",
            source="change_request",
            description=p.get("description") or "",
        )
        return {"asset": a.pk}
    if c.kind == K.Kind.BANK_ACCOUNT:
        from jiuzhu.common import scope
        from jiuzhu.payments import crypto
        from jiuzhu.payments.services import bank_account_confirm, bank_account_set

        # Raised by someone who may change the payee's account, the review is the second
        # person's confirmation (DOMAIN §8): the account is in force at once. Otherwise (the
        # window, a data source) it waits for a confirmation in payments like any change.
        raiser = c.raised_by if c.raised_by_id and c.raised_by_id != actor.pk else None
        maker = raiser if raiser and scope.allows(raiser, "bank_account.change", household=hh) else actor
        change = bank_account_set(
            actor=maker,
            person=person,
            number=crypto.decrypt(p["number_encrypted"]),
            bank_name=p["bank_name"],
            holder_name=p["holder_name"],
        )
        if maker is actor:
            return {"bank_account": change.pk, "confirmed": False}
        bank_account_confirm(actor=actor, change=change)
        return {"bank_account": change.pk, "confirmed": True}
    if c.kind == K.Kind.ADDRESS:
        registry.household_update(actor=actor, household=hh, data=p)
        return {}
    if c.kind == K.Kind.MOVE_TOWN:
        return _move_town(c, actor)
    if c.kind == K.Kind.SPLIT:
        people = {Person.objects.get(pk=int(k)): v for k, v in p["members"].items()}
        split = registry.household_split(
            actor=actor, household=hh, members=people, data={k: p.get(k) for k in ("address", "community")}
        )
        return {"new_household": split.code, "new_household_id": split.pk}
    if c.kind == K.Kind.MERGE:
        other = Household.objects.get(code=p["other"])
        registry.household_merge(
            actor=actor, household=hh, other=other, relations={int(k): v for k, v in p["relations"].items()}
        )
        return {"merged": other.code, "merged_id": other.pk}
    raise AssertionError(c.kind)


def _move_town(c: ChangeRequest, actor: User) -> dict:
    """The household moves to another town: its registry record first, then its open decision
    cases and reviews are handed to the new town's caseworkers. Their history stays: the
    change request, the household's history and the cases themselves say where they came from."""
    from jiuzhu.decisions.models import Case, Review

    registry.household_update(actor=actor, household=c.household, data=dict(c.payload))
    town = Unit.objects.get(code=c.payload["town"])
    cases = list(
        Case.objects.filter(household=c.household, state__in=Case.OPEN_STATES).values_list("pk", flat=True)
    )
    reviews = list(
        Review.objects.filter(household=c.household).exclude(state=Review.SIGNED).values_list("pk", flat=True)
    )
    Case.objects.filter(pk__in=cases).update(town=town)
    Review.objects.filter(pk__in=reviews).update(town=town)
    return {"town": town.code, "cases_handed_over": cases, "reviews_handed_over": reviews}


def _households(c: ChangeRequest, result: dict | None = None) -> list[Household]:
    ids = [c.household_id]
    if c.kind == K.Kind.MOVE_OUT and result:
        ids.append(result["to_household"])
    if c.kind == K.Kind.MOVE_IN and c.payload.get("from_household"):
        ids += list(Household.objects.filter(code=c.payload["from_household"]).values_list("pk", flat=True))
    if c.kind == K.Kind.MERGE:
        ids += list(Household.objects.filter(code=c.payload["other"]).values_list("pk", flat=True))
    return list(Household.objects.filter(pk__in=ids).select_related("town"))


def _effects(c: ChangeRequest, households: list[Household], on: date) -> list[dict]:
    """Each running entitlement of the households with the rules' result on the registry as it
    now stands (inside the caller's transaction: after the change)."""
    from jiuzhu.decisions import snapshot
    from jiuzhu.decisions.models import Entitlement, Review

    from .reviewing import due_for, reviewable

    policy = current_policy()
    out = []
    ents = (
        Entitlement.objects.filter(
            household__in=households,
            status__in=(Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT),
            amount_period="month",
        )
        .select_related("payee", "household")
        .order_by("pk")
    )
    for ent in ents:
        receiving = ent.amount if ent.category == "minimum_living" else None
        try:
            _, result = snapshot.take(
                Household.objects.get(pk=ent.household_id), ent.service_code, on, policy, receiving=receiving
            )
        except (JiuzhuError, KeyError):
            continue
        amount = None if result.get("amount") is None else Decimal(result["amount"])
        eligible = bool(result.get("eligible"))
        differs = (not eligible) or (amount is not None and amount != ent.amount)
        review = None
        if reviewable(ent) and (c.kind == K.Kind.DEATH or differs):
            reason = Review.DEATH if c.kind == K.Kind.DEATH else Review.CHANGE
            died = _d(c.payload.get("died_on")) if c.kind == K.Kind.DEATH else None
            review = {
                "reason": reason,
                "due_on": due_for(reason, on=on, policy=policy, died_on=died).isoformat(),
            }
        out.append(
            {
                "entitlement": ent.pk,
                "service": ent.service_code,
                "service_name": result.get("name") or ent.service_code,
                "household": ent.household.code,
                "payee": ent.payee.name,
                "amount": f"{ent.amount:.2f}",
                "rule_amount": None if amount is None else f"{amount:.2f}",
                "eligible": eligible,
                "changes": differs,
                "review": review,
                "reasons": [r for r in result.get("reasons", []) if not r["passed"]][:5],
            }
        )
    return out


class _Rollback(Exception):
    pass


def change_effects(*, actor: User, change: ChangeRequest | int, on: date | None = None) -> list[dict]:
    """What applying the change would do to the households' entitlements (nothing is kept)."""
    c = _get(change)
    require(actor, "change.read", household=c.household)
    if c.state != K.State.PENDING:
        return c.effects
    on = on or _today()
    try:
        with transaction.atomic():
            result = _apply(c, actor)
            effects = _effects(c, _households(c, result), on)
            raise _Rollback
    except _Rollback:
        pass
    except JiuzhuError as exc:
        return [{"error": exc.message, "code": exc.code}]
    return effects


def _get(change) -> ChangeRequest:
    pk = getattr(change, "pk", change)
    c = (
        ChangeRequest.objects.select_related("household", "household__town", "person", "raised_by")
        .filter(pk=pk)
        .first()
    )
    if c is None:
        raise NotFound("没有这个变更申请", field="change", code="change_not_found")
    return c


def _lock(change) -> ChangeRequest:
    return _get(
        lock(ChangeRequest, change, missing="没有这个变更申请", field="change", code="change_not_found")
    )


@transaction.atomic
def change_approve(
    *, actor: User, change: ChangeRequest | int, note: str = "", today: date | None = None
) -> ChangeRequest:
    """A second person applies the change; the effects are frozen on the request and the
    reviews the rules require are opened, all in one transaction."""
    from .reviewing import open_review

    c = _lock(change)
    require(actor, "change.review", household=c.household)
    if c.state != K.State.PENDING:
        raise IllegalTransition(
            f"该申请当前为“{c.get_state_display()}”，不能再处理", field="change", code="wrong_state"
        )
    if c.raised_by_id == actor.pk:
        raise IllegalTransition(
            "提出人不能复核自己的变更申请，须由另一人复核", field="change", code="same_person"
        )
    today = today or _today()
    result = _apply(c, actor)
    effects = _effects(c, _households(c, result), today)
    opened = []
    if effects:
        from jiuzhu.decisions.models import Entitlement

        policy = current_policy()
        for e in effects:
            if not e["review"]:
                continue
            ent = Entitlement.objects.select_related("household__town").get(pk=e["entitlement"])
            died = _d(c.payload.get("died_on")) if c.kind == K.Kind.DEATH else None
            r, created = open_review(
                entitlement=ent, reason=e["review"]["reason"], on=today, policy=policy, died_on=died
            )
            if r is not None:
                e["review"].update(id=r.pk, due_on=r.due_on.isoformat(), already_open=not created)
                if created:
                    opened.append(r.pk)
    c.state, c.reviewed_by, c.reviewed_at = K.State.APPLIED, actor, clock.now()
    c.review_note = values.text(
        note, field="note", label="复核意见", max_length=500, required=False, multiline=True
    )
    c.effects, c.result = effects, {**result, "reviews": opened}
    c.save()
    return c


@transaction.atomic
def change_reject(*, actor: User, change: ChangeRequest | int, note: str) -> ChangeRequest:
    c = _lock(change)
    require(actor, "change.review", household=c.household)
    if c.state != K.State.PENDING:
        raise IllegalTransition(
            f"该申请当前为“{c.get_state_display()}”，不能再处理", field="change", code="wrong_state"
        )
    if c.raised_by_id == actor.pk:
        raise IllegalTransition(
            "提出人不能复核自己的变更申请，须由另一人复核", field="change", code="same_person"
        )
    c.review_note = values.text(note, field="note", label="退回理由", max_length=500, multiline=True)
    c.state, c.reviewed_by, c.reviewed_at = K.State.REJECTED, actor, clock.now()
    c.save()
    return c


# --- from a data source -------------------------------------------------------------------------


def deaths_from_police(*, on: date | None = None) -> list[ChangeRequest]:
    """Each death record (source ``deaths``, the police's 死亡登记) in the dataset in force on
    ``on`` whose valid ID number is a registry person still recorded alive becomes a change
    request of kind death, raised by the data source, once per record (``source_key``)."""
    from jiuzhu.verification import datasets
    from jiuzhu.verification.models import SourceRecord

    on = on or _today()
    version = datasets.version_for("deaths", on)
    if version is None:
        return []
    records = SourceRecord.objects.filter(
        dataset=version, item="death", id_valid=True, record_date__isnull=False
    )
    alive = {
        p.id_number: p
        for p in Person.objects.filter(
            id_number__in=records.values("id_key"), deceased_on__isnull=True
        ).select_related("household__town")
    }
    made = []
    for r in records.filter(id_key__in=list(alive)).order_by("pk"):
        person = alive[r.id_key]
        key = f"deaths:{r.fingerprint}"
        if ChangeRequest.objects.filter(source_key=key).exists():
            continue
        died = r.record_date
        if died is None or died < person.birth_date or died > on:  # None: filtered out above
            continue
        with transaction.atomic():
            made.append(
                ChangeRequest.objects.create(
                    kind=K.Kind.DEATH,
                    channel=K.Channel.DATA_SOURCE,
                    household=person.household,
                    person=person,
                    town=person.household.town,
                    payload={"died_on": died.isoformat()},
                    before={"deceased_on": None},
                    summary=f"{person.name} 死亡（{r.record_date}，公安死亡登记）",
                    reason="公安死亡登记数据比对",
                    source_key=key,
                    source_detail={
                        "source": "deaths",
                        "dataset": version.pk,
                        "row": r.row_no,
                        "record_date": died.isoformat(),
                        "name": r.name,
                    },
                )
            )
    return made
