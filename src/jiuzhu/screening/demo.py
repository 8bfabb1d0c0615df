"""Demo data for screening: a few planted cases among the demo households — extreme poverty on
top of dibao, a person paid after death, the same person registered again in another town
with the 15-digit form of the ID, temporary aid for one fire twice (worded two ways), a declared staff relative
receiving without the registration, a disabled persons' federation list with eligible people
who receive nothing (one with a mistyped ID) — and one screening run, so the page shows
alerts. Idempotent: the planted cases are marked by the list's file name; a second call adds
nothing and runs nothing."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.decisions.entitlements import add_months, entitlement_grant
from jiuzhu.decisions.models import Entitlement
from jiuzhu.registry.models import Household, IncomeItem, Person, StaffRelative, Unit, User
from jiuzhu.registry.services import next_household_code

from .frames import status_of
from .models import DepartmentList, DepartmentListRow, ListKind, ScreeningRun

DEMO_LIST = "演示-残联重度残疾人名单.csv"
OMISSIONS = 3


def _actor(role: str, unit: str) -> User:
    user = User.objects.filter(role=role, unit__code=unit).order_by("pk").first()
    if user is None:
        user = User.objects.create_user(
            username=f"screening_demo_{role}",
            role=role,
            unit=Unit.objects.get(code=unit),
            display_name="演示人员",
        )
    return user


def _fresh_households(n: int, exclude: set[int]) -> list[Household]:
    """Households with at least one living member and no entitlement, oldest first."""
    taken = set(Entitlement.objects.values_list("household_id", flat=True)) | exclude
    out = []
    for h in Household.objects.order_by("id").iterator(chunk_size=500):
        if h.pk in taken or not h.members.filter(deceased_on__isnull=True).exists():
            continue
        out.append(h)
        if len(out) >= n:
            break
    return out


def _grant(
    h: Household, service: str, amount: str, start: date, actor, policy, reason="演示：审批同意", **kw
):
    members = list(h.members.filter(deceased_on__isnull=True))
    return entitlement_grant(
        household=h,
        payee=members[0],
        members=members,
        service_code=service,
        amount=amount,
        start_month=start,
        actor=actor,
        policy=policy,
        reason=reason,
        **kw,
    )


def _plant(*, policy, today: date) -> None:
    approver = _actor("approver", "civil_affairs")
    start = add_months(today.replace(day=1), -6)
    pool = _fresh_households(40, set())
    if len(pool) < 12:
        return
    # extreme poverty on top of dibao
    h = pool.pop(0)
    _grant(h, "dibao", "950", start, approver, policy)
    head = h.members.filter(deceased_on__isnull=True).order_by("id").first()
    entitlement_grant(
        household=h,
        payee=head,
        members=[head],
        service_code="tekun_dispersed",
        amount="1335",
        start_month=add_months(start, 2),
        actor=approver,
        policy=policy,
        reason="演示：特困供养",
    )
    # paid after death
    h = pool.pop(0)
    _grant(h, "dibao", "950", start, approver, policy)
    Person.objects.filter(pk=h.members.order_by("id")[0].pk).update(deceased_on=add_months(start, 1))
    # registered again in another town with the 15-digit ID, paid there too
    h = pool.pop(0)
    _grant(h, "dibao", "950", start, approver, policy)
    p = h.members.filter(deceased_on__isnull=True).order_by("id")[0]
    other = Unit.objects.filter(kind=Unit.Kind.TOWN).exclude(pk=h.town_id).order_by("sort_order", "code")[0]
    twin = Household.objects.create(
        code=next_household_code(other),
        town=other,
        community=h.community,
        division_code=other.division_code or "",
        area=h.area,
        address="（旧户籍登记）" + h.address[:80],
    )
    copy = Person.objects.create(
        household=twin,
        relation="head",
        id_number=p.id_number[:6] + p.id_number[8:17],
        name=p.name,
        gender=p.gender,
        birth_date=p.birth_date,
    )
    entitlement_grant(
        household=twin,
        payee=copy,
        members=[copy],
        service_code="dibao",
        amount="800",
        start_month=add_months(start, 3),
        actor=approver,
        policy=policy,
        reason="演示：审批同意",
    )
    # temporary aid for one fire twice within 12 months, the cause worded two ways
    h = pool.pop(0)
    _grant(
        h,
        "temporary_emergency",
        "2000",
        add_months(start, -3),
        approver,
        policy,
        reason="演示：审批同意",
        cause="fire",
        cause_note="火灾",
    )
    _grant(
        h,
        "temporary_emergency",
        "1500",
        add_months(start, 2),
        approver,
        policy,
        reason="演示：审批同意",
        cause="fire",
        cause_note="家中失火",
    )
    # a declared staff relative receiving without the registration
    h = pool.pop(0)
    _grant(h, "dibao", "950", start, approver, policy)
    rel = h.members.filter(deceased_on__isnull=True).order_by("id")[0]
    StaffRelative.objects.get_or_create(
        declarant_name="李村干部",
        id_number=rel.id_number,
        defaults={
            "declarant_post": "村委会委员",
            "unit": h.town,
            "name": rel.name,
            "relation": "sibling",
            "declared_on": add_months(start, -12),
        },
    )
    # the federation's list: eligible people receiving nothing, and people already helped
    candidates = [x.pk for x in pool]
    st = status_of(policy, today)(candidates)
    eligible = st.filter(st["status"].is_not_null())["household_id"].to_list()[:OMISSIONS]
    if len(eligible) < OMISSIONS:
        # The decisions seed has admitted every eligible demo household: plant omissions by
        # letting a few households' declared incomes lapse (a job lost), so the rules find
        # them eligible while they receive nothing.
        lapsed = [x for x in candidates if x not in eligible][: 10 * OMISSIONS]
        IncomeItem.objects.filter(person__household_id__in=lapsed).update(monthly_amount=0)
        st = status_of(policy, today)(lapsed)
        eligible += st.filter(st["status"].is_not_null())["household_id"].to_list()[
            : OMISSIONS - len(eligible)
        ]
    officer = _actor("department_officer", "disabled_federation")
    assert officer.unit is not None  # _actor finds or makes the officer in that unit
    dl = DepartmentList.objects.create(
        kind=ListKind.SEVERE_DISABILITY,
        unit=officer.unit,
        filename=DEMO_LIST,
        state=DepartmentList.APPLIED,
        uploaded_by=officer,
    )
    rows = []
    for i, hid in enumerate(eligible):
        m = Person.objects.filter(household_id=hid, deceased_on__isnull=True).order_by("id")[0]
        n = m.id_number
        idn = n[:10] + n[11] + n[10] + n[12:] if i == 0 else n  # the first one mistyped (two digits swapped)
        rows.append(
            DepartmentListRow(dept_list=dl, row_no=i + 2, name=m.name, id_number=idn, birth_date=m.birth_date)
        )
    helped = Person.objects.filter(entitlements__amount_period="month").distinct().order_by("id")[:5]
    for j, m in enumerate(helped):
        rows.append(
            DepartmentListRow(dept_list=dl, row_no=len(rows) + 2 + j, name=m.name, id_number=m.id_number)
        )
    DepartmentListRow.objects.bulk_create(rows)
    dl.rows_total = dl.rows_valid = len(rows)
    dl.save(update_fields=["rows_total", "rows_valid"])


def seed(*, policy, today: date) -> str:
    from .services import screening_run

    if not DepartmentList.objects.filter(filename=DEMO_LIST).exists():
        with transaction.atomic():
            _plant(policy=policy, today=today)
    if ScreeningRun.objects.exists() or not Household.objects.exists():
        return ""
    run = screening_run(policy=policy, as_of=today)
    r = run.raised
    return (
        f"查重查漏：筛查一次，新增预警 查重{r.get('duplicate', 0)}、查漏{r.get('omission', 0)}、"
        f"查不公{r.get('unfairness', 0)} 条"
    )
