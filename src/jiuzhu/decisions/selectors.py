"""Decision reads: the caseworker's and approver's lists, deadline flags, the public notices,
the contract selectors other areas read (``verification_recipients``, ``kpi_decisions``,
``chain_entries``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils import timezone

from jiuzhu.common import clock, labels, scope
from jiuzhu.common import masking as m
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.common.workdays import workdays_between
from jiuzhu.registry.models import User

from .models import Case, Entitlement, GrantRequest, Letter, Notice, Objection, Review

if TYPE_CHECKING:
    from jiuzhu.intake.models import Referral
from .scope import DECISION_CATEGORIES

DUE_SOON_DAYS = 3  # working days


def case_flag(case: Case, today: date, table=None) -> str:
    """ "overdue" | "due_soon" | "" for an open case; "late" | "" for a decided one."""
    if not case.is_open:
        return "late" if case.decided_on and case.decided_on > case.due_on else ""
    if today > case.due_on:
        return "overdue"
    left = workdays_between(today, case.due_on, table if table is not None else holiday_table())
    return "due_soon" if left <= DUE_SOON_DAYS else ""


def stage(case: Case, today: date) -> str:
    """The case's state as what comes next (issue 19): a notice whose last day has passed
    without an open objection reads "公示期满，待审批" though the case moves on only when an
    approver opens it (``cases._refresh_from_notice``)."""
    if case.state == Case.NOTICE:
        notice = case.notices.filter(state=Notice.RUNNING).order_by("-starts_on", "-id").first()
        if notice is not None:
            if notice.objections.filter(state=Objection.OPEN).exists():
                return "公示有异议，待复查"
            if notice.ends_on < today:
                return "公示期满，待审批"
            return f"公示中（至 {notice.ends_on:%Y-%m-%d}）"
    if case.state == Case.INVESTIGATING:
        return "调查核实中，待初审意见"
    return case.get_state_display()


def ready_to_approve(*, today: date):
    """Open cases an approver may decide now: waiting for decision, or on a notice that ended
    before ``today`` with no open objection."""
    ended = Notice.objects.filter(state=Notice.RUNNING, ends_on__lt=today)
    objected = Objection.objects.filter(state=Objection.OPEN).values("notice__case_id")
    return (
        Case.objects.filter(Q(state=Case.DECISION) | Q(state=Case.NOTICE, notices__in=ended))
        .exclude(pk__in=objected)
        .select_related("household", "town")
        .distinct()
        .order_by("due_on", "id")
    )


def _time_limit(step: str, on: date) -> int:
    """``dibao.time_limits[step]`` in working days (demo 3 for the investigation and
    verification starts)."""
    from jiuzhu.policy.selectors import current_policy

    try:
        return int(current_policy().param("dibao.time_limits", on, step=step))
    except LookupError:
        return 3


def investigation_overdue(user, *, today: date) -> list[tuple[Case | Referral, date, str]]:
    """Dibao/extreme-poverty applications of the caseworker's town whose investigation has not
    started ``dibao.time_limits[investigation_start]`` (demo 3) working days after acceptance
    (最低生活保障审核确认办法 第十五条), as (referral or case, due date, what), most overdue
    first: a referral not yet taken up ("未启动审核确认"), or a case without any investigation
    recorded ("未开展调查核实")."""
    from .models import Investigation

    table = holiday_table()
    out = []
    for r in referrals_to_open(user):
        received = r.application.received_on
        due = deadline(received, _time_limit("investigation_start", received), table).due
        if today > due:
            out.append((r, due, "未启动审核确认"))
    started = Investigation.objects.values("case_id")
    for c in (
        Case.objects.filter(town_id=user.unit_id, state=Case.INVESTIGATING)
        .exclude(pk__in=started)
        .select_related("household")
    ):
        due = deadline(c.received_on, _time_limit("investigation_start", c.received_on), table).due
        if today > due:
            out.append((c, due, "未开展调查核实"))
    out.sort(key=lambda x: (x[1], x[0].pk))
    return out


def verification_overdue(user, *, today: date) -> list[tuple[Case, date, str]]:
    """The town's open dibao/extreme-poverty cases whose verification (核对) is overdue, as
    (case, due date, what is late), most overdue first. A case cannot be decided without a
    valid report (``cases.check_verified``), so these are the caseworker's alerts:

    - no request since the application was accepted, ``dibao.time_limits[verification_start]``
      (demo 3) working days after acceptance (最低生活保障审核确认办法 第十五条、第十七条: the
      investigation, which asks for 核对, starts within 3 working days; the platform starts
      the data queries at the request) → "未申请核对";
    - requested, but no report issued once the data-source units' answers were due (the latest
      task's due date; the request day when every source answered from its dataset) and the
      3 working days for the centre to act after it → "核对报告逾期"."""
    from jiuzhu.verification.models import SourceTask, VerificationReport, VerificationRequest

    cases = list(
        Case.objects.filter(town_id=user.unit_id, state__in=Case.OPEN_STATES)
        .select_related("household")
        .order_by("received_on", "id")
    )
    if not cases:
        return []
    table = holiday_table()
    hids = {c.household_id for c in cases}
    valid = set(
        VerificationReport.objects.filter(
            household_id__in=hids, as_of__lte=today, valid_until__gte=today
        ).values_list("household_id", flat=True)
    )
    requests: dict[int, list] = {}
    for r in VerificationRequest.objects.filter(household_id__in=hids).order_by("as_of", "id"):
        requests.setdefault(r.household_id, []).append(r)
    task_due: dict[int, date] = {}
    for rid, due in SourceTask.objects.filter(request__household_id__in=hids).values_list(
        "request_id", "due_on"
    ):
        task_due[rid] = max(due, task_due.get(rid, due))
    out = []
    for c in cases:
        if c.household_id in valid:
            continue
        days = _time_limit("verification_start", c.received_on)
        asked = [r for r in requests.get(c.household_id, []) if r.as_of >= c.received_on]
        if not asked:
            due, what = deadline(c.received_on, days, table).due, "未申请核对"
        else:
            r = asked[-1]
            answers = task_due.get(r.pk, r.as_of)
            due, what = deadline(answers, days, table).due, "核对报告逾期"
        if today > due:
            out.append((c, due, what))
    out.sort(key=lambda x: (x[1], x[0].pk))
    return out


def working_days_taken(case: Case, table=None) -> int | None:
    if case.decided_on is None:
        return None
    return workdays_between(
        case.received_on, case.decided_on, table if table is not None else holiday_table()
    )


def cases_for(user, *, state: str | None = None, today: date | None = None, limit: int = 200) -> list[Case]:
    """The cases a user works on: a town caseworker his town's, an approver and a supervisor
    all. Each carries ``flag`` for the screen."""
    today = today or clock.today()
    qs = Case.objects.select_related("household", "town").order_by("due_on", "id")
    reach = scope.scope_of(user, "case.read")
    if reach == scope.TOWN:
        qs = qs.filter(town_id=user.unit_id)
    elif reach != scope.CITY:
        return []
    if state == "open":
        qs = qs.filter(state__in=Case.OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    out = list(qs[:limit])
    table = holiday_table()
    for c in out:
        c.flag = case_flag(c, today, table)  # type: ignore[attr-defined]  # shown by the list, not a column
        c.stage = stage(c, today)  # type: ignore[attr-defined]  # shown by the list, not a column
    return out


def referrals_to_open(user) -> list:
    """Dibao/tekun referrals of households of the caseworker's town without a case yet."""
    from jiuzhu.intake.models import Referral
    from jiuzhu.policy.selectors import current_policy

    from .scope import decision_codes

    return list(
        Referral.objects.filter(
            state__in=Referral.OPEN_STATES,
            service_code__in=decision_codes(current_policy()),
            application__household__town_id=user.unit_id,
            decision_case__isnull=True,
        )
        .select_related("application__household", "application")
        .order_by("due_on", "id")[:200]
    )


def reviews_for(user, *, state: str | None = None, limit: int = 200) -> list[Review]:
    qs = Review.objects.select_related("household", "entitlement", "town").order_by("due_on", "id")
    reach = scope.scope_of(user, "case.read")
    if reach == scope.TOWN:
        qs = qs.filter(town_id=user.unit_id)
    elif reach != scope.CITY:
        return []
    if state:
        qs = qs.filter(state=state)
    return list(qs[:limit])


def letters_of(case: Case) -> list[Letter]:
    return list(case.letters.order_by("id"))


# --- contracts --------------------------------------------------------------------------------


def verification_recipients(on: date) -> list[tuple[int, str, int | None]]:
    """``(household_id, service_code, baseline report id)`` of the households receiving a
    decided service on ``on`` whose decision rests on a verification report (the baseline is
    that report). Households marked by hand in verification before a decision existed
    (``RecipientService``) are kept until a decision covers them."""
    month = on.replace(day=1)
    running = Q(entitlement__start_month__lte=month) & (
        Q(entitlement__end_month__isnull=True) | Q(entitlement__end_month__gte=month)
    )
    rows = (
        Case.objects.filter(state=Case.APPROVED, verification_report_id__isnull=False)
        .filter(running)
        .values_list("household_id", "service_code", "verification_report_id")
        .order_by("household_id", "service_code")
    )
    out = list(dict.fromkeys(rows))
    seen = {(h, s) for h, s, _ in out}
    from jiuzhu.verification.models import RecipientService

    for h, s, r in RecipientService.objects.filter(active=True).values_list(
        "household_id", "service_code", "report_id"
    ):
        if (h, s) not in seen:
            out.append((h, s, r))
    return out


def kpi_decisions(*, start: date, end: date, unit=None) -> dict:
    """Decision figures for cases decided (or objections lodged) from ``start`` to ``end``
    inclusive, for one town (``unit``) or all:

    - ``cases_opened``: cases opened in the period
    - ``cases_decided``: cases decided in the period; ``approved``, ``refused``
    - ``decided_on_time``: decided on or before their due date; ``decided_late``
    - ``open_overdue``: cases still open on ``end`` and past their due date
    - ``objections_received``, ``objections_upheld``: objections lodged in the period
    - ``avg_working_days``: average working days from acceptance to decision (Decimal, 1 place)
    - ``reviews_signed``, ``reviews_stopped``: periodic reviews signed in the period
    """
    from decimal import Decimal

    cases = Case.objects.all()
    objections = Objection.objects.all()
    reviews = Review.objects.all()
    if unit is not None:
        cases = cases.filter(town=unit)
        objections = objections.filter(notice__town=unit)
        reviews = reviews.filter(town=unit)
    decided = list(
        cases.filter(decided_on__gte=start, decided_on__lte=end).values_list(
            "state", "received_on", "decided_on", "due_on"
        )
    )
    table = holiday_table()
    days = [workdays_between(r, d, table) for _, r, d, _ in decided if d is not None]  # decided: never None
    obj = objections.filter(lodged_on__gte=start, lodged_on__lte=end).aggregate(
        n=Count("id"), upheld=Count("id", filter=Q(state=Objection.UPHELD))
    )
    rv = reviews.filter(signed_on__gte=start, signed_on__lte=end).aggregate(
        n=Count("id"), stopped=Count("id", filter=Q(outcome=Review.STOP))
    )
    avg = (Decimal(sum(days)) / len(days)).quantize(Decimal("0.1")) if days else Decimal("0.0")
    on_time = sum(1 for _, _, d, due in decided if d is not None and d <= due)
    return {
        "cases_opened": cases.filter(opened_on__gte=start, opened_on__lte=end).count(),
        "cases_decided": len(decided),
        "approved": sum(1 for s, *_ in decided if s == Case.APPROVED),
        "refused": sum(1 for s, *_ in decided if s == Case.REFUSED),
        "decided_on_time": on_time,
        "decided_late": len(decided) - on_time,
        "open_overdue": cases.filter(state__in=Case.OPEN_STATES, due_on__lt=end).count(),
        "objections_received": obj["n"],
        "objections_upheld": obj["upheld"],
        "avg_working_days": avg,
        "reviews_signed": rv["n"],
        "reviews_stopped": rv["stopped"],
    }


def _at(d: date):
    """A date as the start of its day (the chain's template formats times)."""
    from datetime import datetime, time

    return timezone.make_aware(datetime.combine(d, time(0)))


def chain_entries(*, household, role: str):
    """Decisions, entitlements and reviews on the household's assistance chain."""
    from django.urls import reverse

    from jiuzhu.registry.chain import ChainEntry

    staff_roles = {m.TOWN_CASEWORKER, m.APPROVER, m.SUPERVISOR, m.ADMIN}
    for c in Case.objects.filter(household=household).select_related("town").order_by("-id")[:50]:
        url = reverse("decisions:case", args=[c.pk]) if role in staff_roles else ""
        yield ChainEntry(
            at=c.created_at,
            area="审核确认",
            title=f"{c.service_name}审核确认：{c.get_state_display()}",
            detail=f"办理期限 {c.due_on.isoformat()}",
            unit=c.town.name,
            url=url,
        )
        if c.decided_on:
            what = (
                f"批准，每月 {c.amount} 元，自 {c.start_month:%Y-%m} 起"
                if c.state == Case.APPROVED
                else "不予批准"
            )
            yield ChainEntry(
                at=_at(c.decided_on),
                area="审核确认",
                title=f"{c.service_name}：{what}",
                unit=c.town.name,
                url=url,
            )
    for e in Entitlement.objects.filter(household=household, category__in=DECISION_CATEGORIES).order_by(
        "-id"
    )[:50]:
        if e.status == Entitlement.ENDED and e.ended_reason:
            yield ChainEntry(
                at=_at(e.end_month or e.start_month),
                area="审核确认",
                title=f"待遇终止（{labels.label('service', e.service_code)}）",
                detail=e.ended_reason[:200],
            )
    for g in GrantRequest.objects.filter(household=household).select_related("unit").order_by("-id")[:50]:
        url = reverse("decisions:grant", args=[g.pk]) if role in staff_roles | {m.DEPARTMENT_OFFICER} else ""
        yield ChainEntry(
            at=g.created_at,
            area="发放签批",
            title=f"{g.service_name}：{g.amount} 元{g.get_level_display()}（{g.get_state_display()}）",
            detail=g.reason[:200],
            unit=g.unit.name,
            url=url,
        )
    for r in Review.objects.filter(household=household).order_by("-id")[:50]:
        yield ChainEntry(
            at=_at(r.signed_on or r.generated_on),
            area="审核确认",
            title=f"{r.get_reason_display()}：{r.get_outcome_display() or r.get_proposal_display()}"
            f"（{r.get_state_display()}）",
        )


def grant_requests_for(user, *, state: str | None = "pending", limit: int = 200) -> list[GrantRequest]:
    """Grants held for a second signature: an approver sees the city's, a unit's officer his
    unit's; supervisors read all."""
    qs = GrantRequest.objects.select_related("household", "unit", "made_by").order_by("-id")
    if state:
        qs = qs.filter(state=state)
    reach = scope.scope_of(user, "grant.read")
    if reach == scope.NONE:
        return []
    if reach != scope.CITY:
        qs = qs.filter(unit_id=user.unit_id)
    return list(qs[:limit])


def notice_counts() -> dict:
    return dict(Notice.objects.values_list("state").annotate(n=Count("id")))


def declared_relatives(user, *, limit: int = 500) -> list:
    """The close relatives of staff declared so far, newest first, with who declared them
    (history: a declaration is never edited): one's own, or everyone's for an admin (scope
    ``relative.declare``; an out-of-scope user is refused)."""
    from jiuzhu.common import scope
    from jiuzhu.common.roles import role_of
    from jiuzhu.registry.models import StaffRelative

    scope.require(user, "relative.declare", unit=user.unit)
    rows = StaffRelative.objects.select_related("staff", "unit").order_by("-declared_on", "-id")
    if role_of(user) != m.ADMIN:
        rows = rows.filter(staff=user)
    return list(rows[:limit])


def _chain_case(actor: User, household, pk):
    from jiuzhu.common import scope

    town = Case.objects.filter(pk=pk).values_list("town_id", flat=True).first()
    return town is not None and scope.allows(actor, "case.read", town=town)


def _chain_grant(actor: User, household, pk):
    from jiuzhu.common import scope

    unit = GrantRequest.objects.filter(pk=pk).values_list("unit_id", flat=True).first()
    return unit is not None and scope.allows(actor, "grant.read", unit=unit)


# registry.chain: links kept only when the case or grant page would open for the reader
CHAIN_LINKS = {"decisions:case": _chain_case, "decisions:grant": _chain_grant}
