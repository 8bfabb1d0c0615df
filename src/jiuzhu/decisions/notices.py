"""Public notice (公示) and objections (异议). A notice shows only what may be shown (masked
name per the policy switch, community, household size, service, amount); anyone may object
without logging in, throttled per client like intake's tracking page; the town handles each
objection (re-investigation note, upheld or dismissed) before the approver may decide.
An upheld objection withdraws the notice and sends the case back to investigation."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from jiuzhu.common import clock, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import IllegalTransition, NotFound, Throttled, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.selectors import deadline
from jiuzhu.common.tx import bump
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import User

from .models import Case, Investigation, Notice, Objection


def notice_end(starts_on: date, policy) -> date:
    """The last day of a notice published on ``starts_on``: 7 days counted from the next day,
    calendar days by default, working days when the policy says so (notice.day_type)."""
    days = int(parameter(policy, "notice.days", starts_on))
    if parameter(policy, "notice.day_type", starts_on) == "working":
        return deadline(starts_on, days).due
    return starts_on + timedelta(days=days)


def publish(*, case: Case, actor: User, today: date) -> Notice:
    """(Inside the case's transaction.) Put the case on notice in its community."""
    policy = current_policy()
    names = [x for x in case.result.get("members", [])]
    people = list(case.household.members.filter(pk__in=names).order_by("id")) or list(
        case.household.members.order_by("id")
    )
    head = people[0]
    if case.referral is not None:
        head = case.referral.application.applicant
    mask = bool(parameter(policy, "notice.mask_names", today))
    assert case.amount is not None  # the initial opinion set the amount the notice shows
    n = Notice.objects.create(
        case=case,
        town=case.town,
        community=case.household.community,
        shown_name=m.mask_name(head.name) if mask else head.name,
        household_size=len(people),
        service_name=case.service_name,
        amount=case.amount,
        starts_on=today,
        ends_on=notice_end(today, policy),
    )
    from .cases import milestone

    milestone(
        case,
        "decision_notice",
        actor=actor,
        note=f"在{n.community}公示 {n.starts_on.isoformat()} 至 {n.ends_on.isoformat()}",
    )
    return n


def current(case: Case) -> Notice | None:
    return case.notices.filter(state=Notice.RUNNING).order_by("-starts_on", "-id").first()


# --- objections ---------------------------------------------------------------------------------


def objection_limits() -> tuple[int, int]:
    """(objections allowed per client, window in seconds): settings
    JIUZHU_OBJECTION_MAX_PER_CLIENT and JIUZHU_OBJECTION_WINDOW_SECONDS, default 5 per hour."""
    return (
        int(getattr(settings, "JIUZHU_OBJECTION_MAX_PER_CLIENT", 5)),
        int(getattr(settings, "JIUZHU_OBJECTION_WINDOW_SECONDS", 3600)),
    )


@transaction.atomic
def objection_lodge(
    *,
    notice: Notice | int,
    text: str,
    ip: str,
    contact_name: str = "",
    contact_phone: str = "",
    today: date | None = None,
) -> Objection:
    """Anyone may object to a running notice (no login). Throttled per client address."""
    today = today or clock.today()
    limit, seconds = objection_limits()
    since = timezone.now() - timedelta(seconds=seconds)  # throttling runs on real time
    if Objection.objects.filter(ip=ip, lodged_at__gte=since).count() >= limit:
        raise Throttled(f"提交过于频繁，请 {seconds // 60} 分钟后再试", code="too_many_objections")
    pk = notice.pk if isinstance(notice, Notice) else int(notice)
    n = Notice.objects.select_related("case").filter(pk=pk).first()
    if n is None:
        raise NotFound("公示不存在", field="notice")
    if n.state != Notice.RUNNING or not (n.starts_on <= today <= n.ends_on):
        raise IllegalTransition("该公示不在公示期内，不能提出异议", field="notice", code="notice_closed")
    text = values.note(text, field="text", label="异议内容")
    if len(text) < 5:
        raise ValidationFailed("请写明异议的具体内容（至少5个字）", field="text", code="required")
    contact_name = values.text(
        contact_name, field="contact_name", max_length=50, required=False, label="反映人"
    )
    contact_phone = values.phone(contact_phone, field="contact_phone")
    obj = Objection.objects.create(
        notice=n,
        text=text,
        ip=ip,
        contact_name=contact_name,
        contact_phone=contact_phone,
        lodged_on=today,
    )
    if n.case_id:
        from . import cases

        c = cases._lock(n.case_id)
        cases.extend(c, ground="objection", note="公示期间收到异议", actor=None)
        cases.milestone(c, "decision_objection", actor=None, note="公示期间收到异议，镇街复查")
    return obj


@transaction.atomic
def objection_handle(
    *,
    actor: User,
    objection: Objection | int,
    upheld: bool,
    note: str,
    staff_names: list[str],
    today: date | None = None,
) -> Objection:
    """The town re-investigates (at least two staff) and records the result. Upheld: the
    notice is withdrawn and the case goes back to investigation for a new opinion."""
    from . import cases

    today = today or clock.today()
    pk = objection.pk if isinstance(objection, Objection) else int(objection)
    obj = Objection.objects.select_for_update().select_related("notice").filter(pk=pk).first()
    if obj is None:
        raise NotFound("异议不存在", field="objection")
    n = obj.notice
    cases.ensure_caseworker(actor, n.town_id)
    c = cases._lock(n.case_id) if n.case_id else None
    if obj.state != Objection.OPEN:
        raise IllegalTransition("该异议已处理", field="objection", code="objection_handled")
    if not values.note(note, field="note"):
        raise ValidationFailed("请填写复查情况", field="note", code="reinvestigation_note_required")
    # kept as the investigation's findings behind "异议复查：", within the same bound
    note = values.text(note, field="note", max_length=values.NOTE_MAX - 10, multiline=True, label="复查情况")
    names = values.names(staff_names, field="staff_names", label="复查人员")
    if len(set(names)) < cases.MIN_STAFF:
        raise ValidationFailed("复查须由2名以上工作人员进行", field="staff_names", code="two_staff_required")
    if c is not None:
        cases.investigation_record(
            actor=actor,
            case=c,
            kind=Investigation.REINVESTIGATION,
            done_on=today,
            staff_names=names,
            findings=f"异议复查：{note}",
        )
    obj.state = Objection.UPHELD if upheld else Objection.DISMISSED
    obj.handling_note, obj.handled_on, obj.handled_by = (
        f"{note}（复查人员：{'、'.join(names)}）",
        today,
        actor,
    )
    obj.save()
    if upheld:
        Notice.objects.filter(pk=n.pk).update(state=Notice.WITHDRAWN)
        n.objections.filter(state=Objection.OPEN).update(
            state=Objection.UPHELD,
            handling_note="同一公示的异议已成立，公示撤回",
            handled_on=today,
            handled_by=actor,
        )
        if c is not None:
            c.refresh_from_db()
            bump(c, state=Case.INVESTIGATING, opinion="")
        elif n.review_id:
            from .models import Review

            # the proposed termination is not confirmed: the caseworker decides again
            Review.objects.filter(pk=n.review_id).update(
                state=Review.PROPOSED, outcome="", confirmed_by=None, confirmed_on=None
            )
    if c is not None:
        result = "异议成立，撤回公示，重新调查" if upheld else "异议不成立，继续办理"
        cases.milestone(c, "decision_objection_handled", actor=actor, note=f"{result}：{note}")
    return obj


# --- public reads -------------------------------------------------------------------------------


def public_notices(
    *, community: str = "", town_code: str = "", today: date | None = None, past: bool = False
):
    """Notices as the public sees them (the Notice table only: nothing else is read)."""
    today = today or clock.today()
    qs = Notice.objects.select_related("town")
    if community:
        qs = qs.filter(community=community)
    if town_code:
        qs = qs.filter(town__code=town_code)
    if past:
        # the published recipient list: notices that ran their course and were approved
        return qs.filter(
            kind=Notice.GRANT, state=Notice.RUNNING, ends_on__lt=today, case__state=Case.APPROVED
        ).order_by("-ends_on", "-id")
    return qs.filter(state=Notice.RUNNING, starts_on__lte=today, ends_on__gte=today).order_by("ends_on", "id")


def communities() -> list[dict]:
    """Towns that have notices, each with its villages (communities): ``[{"code", "name",
    "communities": [...]}]`` for the public filter. Villages of the same name in different
    towns stay apart (a village is chosen within its town)."""
    towns: dict[str, dict] = {}
    rows = Notice.objects.values_list("town__code", "town__name", "community").distinct()
    for code, name, community in rows.order_by("town__name", "community"):
        towns.setdefault(code, {"code": code, "name": name, "communities": []})["communities"].append(
            community
        )
    return list(towns.values())


def place(value: str) -> tuple[str, str]:
    """The public filter's value ``<town code>|<village>`` as ``(town_code, community)``."""
    town, _, community = (value or "").partition("|")
    return town.strip(), community.strip()
