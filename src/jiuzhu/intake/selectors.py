"""Intake reads: proposals for the clerk, authorisations (read by verification), inboxes,
due-soon and overdue lists, the public tracking view and the published results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q

from jiuzhu.common import clock, idnumber, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.labels import label
from jiuzhu.common.selectors import deadline
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household, Person, Unit

from . import catalogue
from .models import Application, Authorisation, EmergencyAid, Referral

DUE_SOON_DAYS = 2  # working days (issue 3: due-soon = within 2 working days)


# --- authorisations (read by verification) -------------------------------------------------


def authorisation_months(on: date) -> int:
    """How long a signed authorisation lasts (policy ``verification.authorisation_months``)."""
    return int(current_policy().param("verification.authorisation_months", on))


def authorisation_expiry(signed_on: date, *, months: int) -> date:
    """The last day an authorisation signed on ``signed_on`` is in force."""
    from jiuzhu.policy.rules.base import add_months_clamped

    return add_months_clamped(signed_on, months) - timedelta(days=1)


def _not_expired(on: date) -> Q:
    """In force on ``on`` by its date: its own ``valid_until``, or (recorded before every
    authorisation carried one) ``verification.authorisation_months`` after signing."""
    from jiuzhu.policy.rules.base import add_months_clamped

    oldest = add_months_clamped(on, -authorisation_months(on))
    return Q(valid_until__gte=on) | Q(valid_until__isnull=True, signed_on__gt=oldest)


def signed_authorisations(household: Household, *, on: date, scope: str = Authorisation.VERIFICATION):
    """Authorisations of current members signed on or before ``on`` and not revoked by then
    (expired or not)."""
    return (
        Authorisation.objects.filter(
            household=household, scope=scope, signed_on__lte=on, person__household=household
        )
        .filter(Q(revoked_on__isnull=True) | Q(revoked_on__gt=on))
        .select_related("application")
    )


def authorised_persons(
    household: Household, *, on: date, scope: str = Authorisation.VERIFICATION
) -> list[Person]:
    """Members of ``household`` whose signed authorisation for ``scope`` is in force on
    ``on``: signed on or before it, not expired, not revoked by then."""
    valid = signed_authorisations(household, on=on, scope=scope).filter(_not_expired(on))
    return list(Person.objects.filter(pk__in=valid.values("person_id")).order_by("id"))


def authorisation_covers(auth: Authorisation, *, unit_id, service: str, any_unit: bool = False) -> bool:
    """Whether ``auth`` lets ``unit_id`` ask a verification for ``service``. The unit it names
    (the window) may ask for its service, or any service when it names none; a unit its
    application was referred to (分办) acts under it for the services referred. ``any_unit``:
    the city's verification centre and approvers (periodic review), for whom the authorisation
    is signed (the form names the civil-affairs verification body), still within its service."""
    referred = set()
    if auth.application_id is not None:
        referred = set(
            Referral.objects.filter(application_id=auth.application_id).values_list("unit_id", "service_code")
        )
    own = any_unit or auth.unit_id is None or auth.unit_id == unit_id
    if auth.service_code:
        return auth.service_code == service and (own or any(u == unit_id for u, _ in referred))
    return own or (unit_id, service) in referred


def authorisation_gaps(
    household: Household, *, on: date, unit_id, service: str, any_unit: bool = False
) -> dict[int, str]:
    """Living adult members whose authorisation does not let ``unit_id`` ask for ``service``
    on ``on``, each with why: ``missing`` (none signed), ``expired`` (one that would cover it
    has expired), ``out_of_scope`` (those in force name another unit or service)."""
    by_person: dict[int, list[Authorisation]] = {}
    for a in signed_authorisations(household, on=on):
        by_person.setdefault(a.person_id, []).append(a)
    months = authorisation_months(on)
    gaps = {}
    for p in household.members.order_by("id"):
        if p.deceased_on or idnumber.age_on(p.birth_date, on) < 18:
            continue
        signed = by_person.get(p.pk, [])
        covering = [
            a for a in signed if authorisation_covers(a, unit_id=unit_id, service=service, any_unit=any_unit)
        ]
        in_force = [
            a for a in covering if (a.valid_until or authorisation_expiry(a.signed_on, months=months)) >= on
        ]
        if in_force:
            continue
        gaps[p.pk] = "missing" if not signed else "expired" if covering else "out_of_scope"
    return gaps


def missing_authorisations(household: Household, *, on: date) -> list[Person]:
    """Living adult members (18 or over on ``on``) without an authorisation in force."""
    have = {p.pk for p in authorised_persons(household, on=on)}
    return [
        p
        for p in household.members.order_by("id")
        if p.pk not in have and not p.deceased_on and idnumber.age_on(p.birth_date, on) >= 18
    ]


# --- proposals -----------------------------------------------------------------------------


def received_services(household: Household, *, on: date) -> set[str]:
    """Services the household already receives: active entitlements (whatever path created
    them: a decision, a unit's grant, an import) that still run in ``on``'s month or later, and
    granted referrals whose entitlement is not written yet. One-off grants count in their
    month only."""
    from jiuzhu.decisions.grants import RUNNING
    from jiuzhu.decisions.models import Entitlement

    month = on.replace(day=1)
    ents = (
        Entitlement.objects.filter(household=household, status__in=RUNNING)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .exclude(Q(amount_period="once") & Q(start_month__lt=month))
    )
    return set(ents.values_list("service_code", flat=True)) | set(
        Referral.objects.filter(
            application__household=household,
            state=Referral.GRANTED,
            amount_period__in=("month", "year"),
            entitlements__isnull=True,
        ).values_list("service_code", flat=True)
    )


def household_facts(household: Household, on: date):
    """The household's facts on file ``on`` in the form the policy rules take."""
    from jiuzhu.policy.facts import from_registry

    return from_registry(household, on)


def proposals(
    application: Application, *, today: date | None = None, policy=None
) -> list[catalogue.Proposal]:
    """Every service of the catalogue, pre-checked by the rules with reasons, marked: asked
    for (its category answers a need), already received, cannot be combined with what the
    household receives. Needs first, then eligible ones, then the rest."""
    today = today or clock.today()
    policy = policy or current_policy()
    svcs = catalogue.services(policy)
    try:
        facts = household_facts(application.household, today)
    except JiuzhuError:  # facts the rules cannot take: refer without a pre-check
        facts = None
    checked = catalogue.precheck(facts, today, policy, [s.code for s in svcs]) if facts is not None else {}
    received = received_services(application.household, on=today)
    asked_categories = {c for n in application.needs for c in catalogue.NEED_CATEGORIES.get(n, ())}
    names = {s.code: s.name for s in svcs}
    out = []
    for s in svcs:
        eligible, amount, period, reasons = checked.get(
            s.code, (None, None, None, ["政策规则未作预审，由承办单位审核"])
        )
        conflicts = sorted(
            {c for c in s.exclusive_with if c in received}
            | {c for c in received if s.code in _exclusive(svcs, c)}
        )
        out.append(
            catalogue.Proposal(
                service=s,
                eligible=eligible,
                amount=amount,
                amount_period=period,
                reasons=list(reasons),
                asked=s.category in asked_categories,
                already_received=s.code in received,
                conflicts_with=[names.get(c, c) for c in conflicts],
            )
        )
    out.sort(key=lambda p: (not p.asked, p.eligible is not True, p.service.category, p.service.code))
    return out


@dataclass
class ProposalGroup:
    """The proposals of one need category (生活、医疗、教育、住房、就业、临时……)."""

    category: str
    label: str
    proposals: list = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return any(p.asked for p in self.proposals)

    @property
    def likely(self) -> int:
        return sum(1 for p in self.proposals if p.eligible is True and not p.already_received)

    @property
    def open(self) -> bool:
        """Shown unfolded: the categories asked for, or with a service that likely fits."""
        return self.asked or self.likely > 0


def proposal_groups(proposals: list[catalogue.Proposal]) -> list[ProposalGroup]:
    """``proposals`` grouped by category, in the catalogue's order of categories, the categories
    asked for first, then those with services that likely fit; inside a group the proposals
    keep their order (asked and likely first)."""
    from jiuzhu.common.labels import label
    from jiuzhu.policy.schema import CATEGORIES

    order = list(CATEGORIES)
    groups: dict[str, ProposalGroup] = {}
    for p in proposals:
        c = p.service.category
        groups.setdefault(c, ProposalGroup(c, label("category", c))).proposals.append(p)
    return sorted(
        groups.values(),
        key=lambda g: (not g.asked, g.likely == 0, order.index(g.category) if g.category in order else 99),
    )


def _exclusive(svcs, code) -> tuple[str, ...]:
    for s in svcs:
        if s.code == code:
            return s.exclusive_with
    return ()


# --- applications and inboxes --------------------------------------------------------------


def application_detail(code: str) -> Application:
    from .services import get_application

    return get_application(code)


def chains(application: Application) -> list[list[Referral]]:
    """The application's referrals grouped by chain (first leg first), in referral order."""
    legs = list(application.referrals.select_related("unit").order_by("chain_root_id", "leg", "id"))
    groups: dict[int, list[Referral]] = {}
    for r in legs:
        groups.setdefault(r.chain_root_id or r.pk, []).append(r)
    return [groups[k] for k in sorted(groups)]


def _open_referrals():
    return Referral.objects.filter(state__in=Referral.OPEN_STATES).select_related(
        "unit", "application", "application__window"
    )


def inbox(unit: Unit, *, include_closed: bool = False, limit: int = 200) -> list[Referral]:
    """A unit's referrals, the clock-running ones by due date first, then those waiting for
    material. With ``include_closed`` the recently closed follow."""
    running = list(
        _open_referrals()
        .filter(unit=unit, state__in=Referral.RUNNING_STATES)
        .order_by("due_on", "id")[:limit]
    )
    paused = list(
        _open_referrals().filter(unit=unit, state=Referral.PAUSED).order_by("paused_since", "id")[:limit]
    )
    out = running + paused
    if include_closed:
        out += list(
            Referral.objects.filter(unit=unit)
            .exclude(state__in=Referral.OPEN_STATES)
            .select_related("unit", "application")
            .order_by("-closed_at", "-id")[:50]
        )
    return out


def due_soon_until(today: date) -> date:
    """The last due date that counts as due soon on ``today``."""
    return deadline(today, DUE_SOON_DAYS).due


@dataclass
class DeadlineLists:
    today: date
    due_soon: list[Referral] = field(default_factory=list)
    overdue: list[Referral] = field(default_factory=list)
    emergency_overdue: list[EmergencyAid] = field(default_factory=list)


def deadline_lists(
    *, unit: Unit | None = None, window: Unit | None = None, today: date | None = None
) -> DeadlineLists:
    """Due-soon (due today or within 2 working days) and overdue referrals whose clock runs:
    of one handling ``unit``, of the applications one ``window`` took, or (neither given) of
    the whole city for the supervisor. Waiting-for-material referrals are in neither list: their
    clock stands still."""
    today = today or clock.today()
    qs = _open_referrals().filter(state__in=Referral.RUNNING_STATES)
    aids = EmergencyAid.objects.filter(state=EmergencyAid.OPEN, file_due_on__lt=today).select_related(
        "application", "application__window"
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
        aids = aids.filter(application__window=unit)
    if window is not None:
        qs = qs.filter(application__window=window)
        aids = aids.filter(application__window=window)
    return DeadlineLists(
        today=today,
        due_soon=list(
            qs.filter(due_on__gte=today, due_on__lte=due_soon_until(today)).order_by("due_on", "id")
        ),
        overdue=list(qs.filter(due_on__lt=today).order_by("due_on", "id")),
        emergency_overdue=list(aids.order_by("file_due_on", "id")),
    )


def window_applications(window: Unit, *, limit: int = 50):
    return (
        Application.objects.filter(window=window)
        .select_related("household", "applicant")
        .order_by("-received_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class EmergencyOffer:
    """What the window may pay first (先行救助) for an urgent request: the temporary-assistance
    rule's amount on the declared need, capped at the 先行救助 limit (``amount`` is ``None``
    when no need is declared or the rule refuses), with the rule's reasons."""

    amount: Decimal | None
    limit: Decimal
    reasons: list = field(default_factory=list)


def emergency_offer(application: Application, *, today: date | None = None, policy=None) -> EmergencyOffer:
    import dataclasses

    from jiuzhu.policy.facts import TemporaryNeed

    today = today or clock.today()
    policy = policy or current_policy()
    limit = catalogue.emergency_limit(policy, today)
    need, cause = application.emergency_need, application.emergency_cause
    if need is None or not cause:
        return EmergencyOffer(None, limit, ["未登记急难所需金额"])
    from jiuzhu.decisions.grants import last_same_cause

    try:
        facts = household_facts(application.household, today)
    except JiuzhuError as exc:
        return EmergencyOffer(None, limit, [f"家庭信息不全，规则未能计算：{getattr(exc, 'message', exc)}"])
    if facts is None:
        return EmergencyOffer(None, limit, ["规则未能计算"])
    last = last_same_cause(household=application.household, cause=cause, on=today)
    facts = dataclasses.replace(
        facts, temporary=TemporaryNeed(kind="emergency", cause=cause, amount=need, last_same_cause_on=last)
    )
    eligible, amount, _period, reasons = catalogue.precheck(
        facts, today, policy, ["temporary_emergency"]
    ).get("temporary_emergency", (None, None, None, ["规则未能计算"]))
    if not eligible or amount is None:
        return EmergencyOffer(None, limit, list(reasons))
    return EmergencyOffer(min(amount, limit).quantize(Decimal("0.01")), limit, list(reasons))


def urgent_requests(*, window: Unit, today: date | None = None) -> list[tuple[Application, EmergencyOffer]]:
    """The window's open urgent requests (need ``emergency``) not yet paid first, each with the
    amount the rule offers: the window's one-click 先行救助."""
    today = today or clock.today()
    policy = current_policy()
    apps_ = (
        Application.objects.filter(window=window, status=Application.OPEN, emergency_aids__isnull=True)
        .exclude(emergency_cause="")
        .select_related("household", "applicant")
        .order_by("received_at", "id")
    )
    return [(a, emergency_offer(a, today=today, policy=policy)) for a in apps_ if "emergency" in a.needs]


def open_emergency_aids(*, window: Unit | None = None):
    qs = EmergencyAid.objects.filter(state=EmergencyAid.OPEN).select_related("application")
    if window is not None:
        qs = qs.filter(application__window=window)
    return list(qs.order_by("file_due_on", "id"))


def notifications_for(user, *, limit: int = 30):
    from .models import Notification

    role = getattr(user, "effective_role", "") or ""
    q = Q(role=role) if role else Q(pk__in=[])
    if getattr(user, "unit_id", None):
        q |= Q(unit_id=user.unit_id)
    return list(Notification.objects.filter(q).select_related("application")[:limit])


# --- public tracking -----------------------------------------------------------------------


def result_view(r: Referral) -> dict | None:
    if r.state == Referral.GRANTED:
        return {
            "kind": "granted",
            "amount": f"{r.amount:.2f}",
            "period": r.amount_period,
            "period_display": r.get_amount_period_display(),
            "start_month": r.start_month.strftime("%Y-%m") if r.start_month else None,
            "note": r.reasons,
        }
    if r.state == Referral.REFUSED:
        return {"kind": "refused", "reasons": r.reasons, "basis": r.basis, "alternatives": r.alternatives}
    if r.state == Referral.CHARITY:
        return {"kind": "charity", "charity": r.charity_name, "note": r.reasons}
    return None


def tracking_view(application: Application) -> dict:
    """What the public page shows: the code, when and where it was received, and each
    service's progress and result. No name, ID number, address or household facts."""
    return tracking_view_of_row(tracking_row(application.tracking_code))


# The public look-up is the hot path (hundreds a second): fixed SQL, no ORM compilation.
_FAILED_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN ip = %s THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN code = %s THEN 1 ELSE 0 END), 0)"
    " FROM intake_trackingattempt WHERE at >= %s AND (ip = %s OR code = %s)"
)
_APP_SQL = (
    "SELECT a.id, a.tracking_code, a.id_tail, a.received_on, a.status, u.name,"
    " CASE WHEN EXISTS (SELECT 1 FROM intake_emergencyaid e WHERE e.application_id = a.id) THEN 1 ELSE 0 END"
    " FROM intake_application a JOIN registry_unit u ON u.id = a.window_id WHERE a.tracking_code = %s"
)
_LEGS_SQL = (
    "SELECT r.id, r.chain_root_id, r.leg, r.service_code, r.service_name, r.state, r.referred_on, r.due_on,"
    " r.missing_material, r.closed_on, r.transfer_reason, r.amount, r.amount_period, r.start_month,"
    " r.reasons, r.basis, r.alternatives, r.charity_name, u.name"
    " FROM intake_referral r JOIN registry_unit u ON u.id = r.unit_id"
    " WHERE r.application_id = %s ORDER BY r.chain_root_id, r.leg, r.id"
)
_LEG_FIELDS = (
    "id",
    "chain_root_id",
    "leg",
    "service_code",
    "service_name",
    "state",
    "referred_on",
    "due_on",
    "missing_material",
    "closed_on",
    "transfer_reason",
    "amount",
    "amount_period",
    "start_month",
    "reasons",
    "basis",
    "alternatives",
    "charity_name",
    "unit_name",
)


def failed_lookups(*, ip: str, code: str, since) -> tuple[int, int]:
    """Failed public look-ups since ``since``: (from this address, for this code)."""
    with connection.cursor() as cur:
        cur.execute(_FAILED_SQL, [ip, code, since, ip, code])
        by_ip, by_code = cur.fetchone()
    return int(by_ip or 0), int(by_code or 0)


def tracking_row(code: str) -> dict | None:
    """The application behind ``code`` with its referral legs (plain rows), or ``None``."""
    with connection.cursor() as cur:
        cur.execute(_APP_SQL, [code])
        row = cur.fetchone()
        if row is None:
            return None
        pk, tracking_code, id_tail, received_on, status, window, has_aid = row
        cur.execute(_LEGS_SQL, [pk])
        legs = [dict(zip(_LEG_FIELDS, r, strict=True)) for r in cur.fetchall()]
    aids = []
    if has_aid:
        aids = [
            {"amount": f"{a:.2f}", "granted_on": d}
            for a, d in EmergencyAid.objects.filter(application_id=pk).values_list("amount", "granted_on")
        ]
    return {
        "id": pk,
        "tracking_code": tracking_code,
        "id_tail": id_tail,
        "received_on": _as_date(received_on),
        "status": status,
        "window": window,
        "legs": legs,
        "emergency_aid": aids,
    }


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


_STATE_LABELS = dict(Referral.STATES)
_PERIOD_LABELS = dict(Referral.PERIODS)
_STATUS_LABELS = dict(Application.STATUSES)


def _leg_result(leg: dict) -> dict | None:
    state = leg["state"]
    if state == Referral.GRANTED:
        start = _as_date(leg["start_month"])
        return {
            "kind": "granted",
            "amount": f"{Decimal(leg['amount']):.2f}",
            "period": leg["amount_period"],
            "period_display": _PERIOD_LABELS.get(leg["amount_period"], ""),
            "start_month": start.strftime("%Y-%m") if start else None,
            "note": leg["reasons"],
        }
    if state == Referral.REFUSED:
        return {
            "kind": "refused",
            "reasons": leg["reasons"],
            "basis": leg["basis"],
            "alternatives": leg["alternatives"],
        }
    if state == Referral.CHARITY:
        return {"kind": "charity", "charity": leg["charity_name"], "note": leg["reasons"]}
    return None


def tracking_view_of_row(row: dict) -> dict:
    chains_by_root: dict[int, list[dict]] = {}
    for leg in row["legs"]:
        chains_by_root.setdefault(leg["chain_root_id"] or leg["id"], []).append(leg)
    services = []
    for root in sorted(chains_by_root):
        legs = chains_by_root[root]
        cur = legs[-1]
        state = cur["state"]
        services.append(
            {
                "service": cur["service_name"],
                "service_code": cur["service_code"],
                "unit": cur["unit_name"],
                "state": state,
                "state_display": _STATE_LABELS.get(state, state),
                "referred_on": _as_date(legs[0]["referred_on"]),
                "due_on": _as_date(cur["due_on"]) if state in Referral.RUNNING_STATES else None,
                "missing_material": cur["missing_material"] if state == Referral.PAUSED else "",
                "transfers": [
                    {
                        "from": a["unit_name"],
                        "to": b["unit_name"],
                        "on": _as_date(a["closed_on"]),
                        "reason": a["transfer_reason"],
                    }
                    for a, b in zip(legs, legs[1:], strict=False)
                ],
                "closed_on": _as_date(cur["closed_on"]) if state in Referral.RESULT_STATES else None,
                "result": _leg_result(cur),
            }
        )
    return {
        "tracking_code": row["tracking_code"],
        "received_on": row["received_on"],
        "window": row["window"],
        "status": row["status"],
        "status_display": _STATUS_LABELS.get(row["status"], row["status"]),
        "services": services,
        "emergency_aid": row["emergency_aid"],
    }


# --- published results (办理结果公开) --------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt


RESULT_COLUMNS = [
    ("received", "收到"),
    ("closed", "办结"),
    ("on_time", "按时办结"),
    ("overdue", "超期"),
    ("granted", "给予救助"),
    ("refused", "不予救助"),
    ("charity", "转介慈善"),
    ("transferred", "转办"),
]


def published_results(month: date, *, today: date | None = None) -> list[dict]:
    """Per unit, for one month: referrals received (referred or transferred in), closed, closed
    on time (on or before the due date), overdue (due in the month and not finished by then:
    closed late, or still running after it), granted, refused, handed to a charity and
    transferred out. Only units with any figure are listed."""
    today = today or clock.today()
    first, nxt = month_bounds(month)
    rows: dict[int, dict] = {}

    def row(unit_id) -> dict:
        return rows.setdefault(unit_id, {k: 0 for k, _ in RESULT_COLUMNS})

    for unit_id in Referral.objects.filter(referred_on__gte=first, referred_on__lt=nxt).values_list(
        "unit_id", flat=True
    ):
        row(unit_id)["received"] += 1
    closed = Referral.objects.filter(closed_on__gte=first, closed_on__lt=nxt).values_list(
        "unit_id", "state", "closed_on", "due_on"
    )
    for unit_id, state, closed_on, due_on in closed:
        r = row(unit_id)
        r["closed"] += 1
        r[state] += 1
        if closed_on <= due_on:
            r["on_time"] += 1
    due_in_month = Referral.objects.filter(due_on__gte=first, due_on__lt=min(nxt, today)).filter(
        Q(closed_on__gt=F("due_on")) | Q(state__in=Referral.RUNNING_STATES)
    )
    for unit_id in due_in_month.values_list("unit_id", flat=True):
        row(unit_id)["overdue"] += 1
    units = Unit.objects.in_bulk(list(rows))
    out = []
    for unit_id, counts in rows.items():
        u = units[unit_id]
        out.append(
            {"unit": u.code, "unit_name": u.name, "kind": u.kind, "sort": (u.kind, u.sort_order), **counts}
        )
    out.sort(key=lambda r: r.pop("sort"))
    return out


def masked_applicant(application: Application, role: str) -> dict:
    p = application.applicant
    return {
        "name": m.present("name", p.name, role),
        "id_number": m.present("id_number", p.id_number, role),
    }


# --- staff read models ---------------------------------------------------------------------


def reads_city_wide(user) -> bool:
    return scope.scope_of(user, "application.read") == scope.CITY


def can_view(user, application: Application) -> bool:
    """Scope table ``application.read``: the window that took it (and its town's caseworkers),
    every unit holding one of its referrals, and the city-wide readers."""
    reach = scope.scope_of(user, "application.read")
    if reach == scope.CITY:
        return True
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or reach == scope.NONE:
        return False
    if reach == scope.TOWN and unit_id == application.window_id:
        return True
    return application.referrals.filter(unit_id=unit_id).exists()


def ensure_can_view(user, application: Application) -> None:
    from jiuzhu.common.errors import PermissionDenied

    if not can_view(user, application):
        raise PermissionDenied("您无权查看该申请", code="forbidden")


def document_for(user, doc_id: int):
    """An application's document file for ``user`` to open: the application must be his to see
    and the household within his ``document.read`` scope (another town cannot read it); the read
    is logged."""
    from jiuzhu.common import scope
    from jiuzhu.common.errors import NotFound

    from .models import Document

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
    from .handling import allowed_actions

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
        "result": result_view(r),
        "proposal": r.proposal,
        "flag": r.flag,
        "actions": allowed_actions(r, user) if user is not None else [],
        "held_grant": _held_grant(r),
    }


def _held_grant(r: Referral) -> dict | None:
    """A grant of this referral waiting for a second signature (decisions.grants)."""
    from jiuzhu.decisions.grants import pending_for

    req = pending_for(r)
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

    from .models import CaseEvent

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
