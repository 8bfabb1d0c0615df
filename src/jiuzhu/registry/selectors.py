"""Registry reads: search, a household's facts and its history time line, units, and the
small summaries the home page shows.

``household_view`` and ``household_history`` return read models already masked for the
caller's role (jiuzhu.common.masking), so the household page and the API show the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, Max, Prefetch, Q, Value, When
from django.db.models.functions import Greatest

from jiuzhu.common import clock, idnumber, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, NotFound

from .models import Asset, Household, IncomeItem, Person, Source, Unit

SEARCH_LIMIT = 50
SEARCH_MODES = {"id_number": "身份证号码", "household_code": "家庭编号", "name": "姓名开头"}
# Where an income or asset figure came from. Data-source units add their own codes later.
SOURCE_LABELS = dict(Source.choices)
_ID18 = re.compile(r"^\d{17}[\dX]$")
_ID15 = re.compile(r"^\d{15}$")
# Head of household first, then the eldest.
MEMBER_ORDER = (
    Case(When(relation=Person.Relation.HEAD, then=Value(0)), default=Value(1), output_field=IntegerField()),
    "birth_date",
    "id",
)


# Who may open or change which household files: the scope table (jiuzhu.common.scope).
def can_read(user) -> bool:
    return scope.allows(user, "household.read")


def can_write(user) -> bool:
    return scope.allows(user, "household.write")


def ensure_can_read(user, household: Household | None = None) -> None:
    scope.require(user, "household.read", household=household)


def ensure_can_write(user, household: Household | None = None) -> None:
    scope.require(user, "household.write", household=household)


# --- search -------------------------------------------------------------------------------


@dataclass
class SearchResult:
    query: str
    mode: str  # "id_number" | "household_code" | "name" | "empty"
    households: list[Household] = field(default_factory=list)
    truncated: bool = False


def household_search(q: str, user, *, limit: int = SEARCH_LIMIT) -> SearchResult:
    """Find households by a member's ID number (18 digits, or 15 upgraded to 18), by
    household code, or else by the start of a member's name. Each household carries
    ``matched`` (the members the query hit), its members prefetched, head first, and
    ``in_scope``: whether ``user`` may open it.

    Codes and names find only the households ``user`` may read (scope ``household.read``).
    The full ID number finds the person anywhere (one window, ``household.lookup_id``); a
    household outside the reader's scope comes back with ``in_scope`` False and is shown
    masked (``household_summary``)."""
    scope.require(user, "household.lookup_id")
    q = (q or "").strip()
    if not q:
        return SearchResult(q, "empty")
    upper = q.upper()
    if _ID15.match(upper):
        upper = idnumber.upgrade15(upper)
    if _ID18.match(upper):
        persons = scope.households_in_scope(
            user, "household.lookup_id", Person.objects.filter(id_number=upper), path="household__"
        )
        found = _with_matches(persons)
        for h in found:
            h.in_scope = scope.allows(user, "household.read", household=h)
        return SearchResult(q, "id_number", found)
    readable = scope.households_in_scope(user, "household.read", _households())
    household = readable.filter(code__in={q, upper}).first()
    if household is not None:
        household.matched = []
        household.in_scope = True
        return SearchResult(q, "household_code", [household])
    # A range rather than LIKE 'q%': a plain b-tree index on name serves it on every database.
    persons = Person.objects.filter(name__gte=q, name__lt=q + "\U0010ffff").order_by("name", "id")
    persons = scope.households_in_scope(user, "household.read", persons, path="household__")
    hits = list(persons[: limit + 1])
    found = _with_matches(hits[:limit])
    for h in found:
        h.in_scope = True
    return SearchResult(q, "name", found, truncated=len(hits) > limit)


def _households():
    return Household.objects.select_related("town").prefetch_related(
        Prefetch("members", queryset=Person.objects.order_by(*MEMBER_ORDER))
    )


def _with_matches(persons) -> list[Household]:
    persons = list(persons)
    order: list[int] = []
    matched: dict[int, list[Person]] = {}
    for p in persons:
        if p.household_id not in matched:
            order.append(p.household_id)
            matched[p.household_id] = []
        matched[p.household_id].append(p)
    by_pk = {h.pk: h for h in _households().filter(pk__in=order)}
    out = []
    for pk in order:
        h = by_pk[pk]
        h.matched = matched[pk]
        out.append(h)
    return out


def household_summary(h: Household, role: str) -> dict:
    """A search hit as ``role`` may see it: the household, its head and the members matched.
    A hit outside the reader's scope (``in_scope`` False: an ID lookup at another town's
    window) is masked whole, whatever the role."""
    members = list(h.members.all())
    head = next((p for p in members if p.relation == Person.Relation.HEAD), members[0] if members else None)
    in_scope = getattr(h, "in_scope", True)
    shown = role if in_scope else None

    def brief(p: Person) -> dict:
        return {
            "name": m.present("name", p.name, shown),
            "id_number": m.present("id_number", p.id_number, shown),
            "relation": p.relation,
            "relation_display": p.get_relation_display(),
        }

    return {
        "code": h.code,
        "town": h.town.code,
        "town_name": h.town.name,
        "community": h.community,
        "area": h.area,
        "area_display": h.get_area_display(),
        "head_name": m.present("name", head.name, shown) if head else None,
        "member_count": len(members),
        "matched": [brief(p) for p in getattr(h, "matched", [])],
        "in_scope": in_scope,
    }


# --- one household --------------------------------------------------------------------------


def get_household(code: str) -> Household:
    try:
        return Household.objects.select_related("town").get(code=code)
    except Household.DoesNotExist:
        raise NotFound(f"家庭 {code} 不存在", field="code") from None


def get_person(id_number: str) -> Person:
    """A person by ID number (a 15-digit number is upgraded first)."""
    number = (id_number or "").strip().upper()
    if _ID15.match(number):
        number = idnumber.upgrade15(number)
    try:
        return Person.objects.select_related("household").get(id_number=number)
    except Person.DoesNotExist:
        raise NotFound("未找到该身份证号码登记的人员", field="id_number") from None


def household_for(user, code: str, *, purpose: str = "") -> Household:
    """The household page's household (``household_detail``) if ``user`` may read it; the
    read is logged (call inside the page's transaction)."""
    household = household_detail(code)
    scope.read(user, "household.read", household=household, purpose=purpose)
    return household


def household_detail(code: str) -> Household:
    """The household with its members (head first), each member's incomes, and its assets."""
    members = Person.objects.order_by(*MEMBER_ORDER).prefetch_related(
        Prefetch("incomes", queryset=IncomeItem.objects.order_by("-period_end", "kind", "id"))
    )
    qs = Household.objects.select_related("town").prefetch_related(
        Prefetch("members", queryset=members),
        Prefetch("assets", queryset=Asset.objects.select_related("person").order_by("kind", "-as_of", "id")),
    )
    try:
        return qs.get(code=code)
    except Household.DoesNotExist:
        raise NotFound(f"家庭 {code} 不存在", field="code") from None


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def member_view(p: Person, role: str, *, today: date | None = None) -> dict:
    """One member as ``role`` may see him. Birth date is shown only to roles that see the ID
    number (it is part of it); everyone else gets the age."""
    sees_id = m.sees("id_number", role)
    disability = f"{p.get_disability_kind_display()} {p.disability_grade}级" if p.disability_kind else ""
    prefetched = "incomes" in getattr(p, "_prefetched_objects_cache", {})
    incomes = p.incomes.all() if prefetched else p.incomes.order_by("-period_end", "kind", "id")
    return {
        "id": p.pk,
        "id_number": m.present("id_number", p.id_number, role),
        "name": m.present("name", p.name, role),
        "relation": p.relation,
        "relation_display": p.get_relation_display(),
        "gender": p.gender,
        "gender_display": p.get_gender_display(),
        "birth_date": _iso(p.birth_date) if sees_id else None,
        "age": idnumber.age_on(p.birth_date, today or clock.today()),
        "phone": m.present("phone", p.phone, role),
        "labour_capacity": p.labour_capacity,
        "labour_capacity_display": p.get_labour_capacity_display(),
        "disability_kind": m.present("disability", p.disability_kind, role),
        "disability_grade": m.present(
            "disability", str(p.disability_grade) if p.disability_grade else None, role
        ),
        "disability_display": m.present("disability", disability, role),
        "serious_illness": m.present("health", p.serious_illness, role),
        "self_care": p.self_care,
        "self_care_display": p.get_self_care_display(),
        "school_stage": p.school_stage,
        "school_stage_display": p.get_school_stage_display(),
        "employment_status": p.employment_status,
        "employment_status_display": p.get_employment_status_display(),
        "has_capable_supporter": p.has_capable_supporter,
        "deceased_on": _iso(p.deceased_on),
        "incomes": [income_view(i, role) for i in incomes],
    }


def income_view(i: IncomeItem, role: str) -> dict:
    return {
        "id": i.pk,
        "kind": i.kind,
        "kind_display": i.get_kind_display(),
        "monthly_amount": m.present("income", _amount(i.monthly_amount), role),
        "source": i.source,
        "source_display": SOURCE_LABELS.get(i.source, i.source),
        "period_start": _iso(i.period_start),
        "period_end": _iso(i.period_end),
        "note": i.note,
    }


def asset_view(a: Asset, role: str) -> dict:
    # No "asset" kind in the masking table yet: an asset's value is financial data like
    # income, so it follows the income rule.
    person = a.person
    return {
        "id": a.pk,
        "kind": a.kind,
        "kind_display": a.get_kind_display(),
        "value": m.present("income", _amount(a.value), role),
        "floor_area": _amount(a.floor_area),
        "vehicle_purpose": a.vehicle_purpose,
        "vehicle_purpose_display": a.get_vehicle_purpose_display() if a.vehicle_purpose else "",
        "person_id_number": m.present("id_number", person.id_number, role) if person else None,
        "person_name": m.present("name", person.name, role) if person else None,
        "source": a.source,
        "source_display": SOURCE_LABELS.get(a.source, a.source),
        "as_of": _iso(a.as_of),
        "description": a.description,
    }


def household_view(h: Household, role: str, *, today: date | None = None) -> dict:
    """The household page's facts as ``role`` may see them (``household_detail`` first to
    avoid a query per member)."""
    return {
        "code": h.code,
        "town": h.town.code,
        "town_name": h.town.name,
        "community": h.community,
        "division_code": h.division_code,
        "area": h.area,
        "area_display": h.get_area_display(),
        "address": m.present("address", h.address, role),
        "phone": m.present("phone", h.phone, role),
        "dwelling_area": _amount(h.dwelling_area),
        "members": [member_view(p, role, today=today) for p in h.members.all()],
        "assets": [asset_view(a, role) for a in h.assets.all()],
    }


# --- history time line ----------------------------------------------------------------------


@dataclass
class FieldChange:
    field: str
    label: str
    old: str | None
    new: str | None


@dataclass
class HistoryEntry:
    at: datetime
    user: str
    object_type: str  # household | person | income | asset
    object_label: str
    action: str  # created | changed | deleted
    changes: list[FieldChange]
    history_id: int = 0

    @property
    def action_display(self) -> str:
        return {"created": "登记", "changed": "修改", "deleted": "删除"}[self.action]


# Which masking kind covers each personal field in history diffs.
_FIELD_KIND = {
    (Household, "address"): "address",
    (Household, "phone"): "phone",
    (Person, "id_number"): "id_number",
    (Person, "name"): "name",
    (Person, "phone"): "phone",
    (Person, "disability_kind"): "disability",
    (Person, "disability_grade"): "disability",
    (Person, "serious_illness"): "health",
    (IncomeItem, "monthly_amount"): "income",
    (Asset, "value"): "income",
}
# What a "created" entry lists.
_CREATED_FIELDS = {
    Household: ("town", "community", "area", "address"),
    Person: ("relation", "id_number"),
    IncomeItem: ("kind", "monthly_amount", "period_start", "period_end"),
    Asset: ("kind", "value", "person"),
}
_FK_LABELS = {"household": "所属家庭", "person": "所属人员"}
_ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


class _Names:
    """Display names for foreign keys that appear in diffs (household, town, person)."""

    def __init__(self, households: dict, units: dict, persons: dict):
        self.lookup = {"household": households, "town": units, "person": persons}

    def fk(self, name: str, pk) -> str | None:
        if pk is None:
            return None
        return self.lookup[name].get(pk, f"#{pk}")


def _display(model, name: str, value, names: _Names, role: str) -> str | None:
    f = model._meta.get_field(name)
    if f.is_relation:
        shown = names.fk(name, value)
        return m.present("name", shown, role) if name == "person" else shown
    if value is None or value == "":
        shown = None
    elif f.choices:
        shown = str(dict(f.flatchoices).get(value, value))
    elif isinstance(value, bool):
        shown = "是" if value else "否"
    elif isinstance(value, Decimal):
        shown = f"{value:.2f}"
    elif isinstance(value, date):
        shown = value.isoformat()
    else:
        shown = str(value)
    kind = _FIELD_KIND.get((model, name))
    return m.present(kind, shown, role) if kind and shown is not None else shown


def _label(model, name: str) -> str:
    return _FK_LABELS.get(name) or str(model._meta.get_field(name).verbose_name)


def _who(row) -> str:
    user = row.history_user
    if user is None:
        return "系统"
    role = user.get_role_display() if user.role else ""
    return f"{user}（{role}）" if role else str(user)


def _entries(rows, model, object_type, label_of, names, role, keep=None) -> list[HistoryEntry]:
    """Turn chronological history rows of one model into entries, diffing each row against
    the previous row of the same object."""
    out = []
    prev_by_id: dict[int, object] = {}
    for row in rows:
        prev = prev_by_id.get(row.id)
        prev_by_id[row.id] = row
        if keep is not None and not keep(row, prev):
            continue
        action = _ACTIONS[row.history_type]
        if action == "created":
            changes = [
                FieldChange(
                    n,
                    _label(model, n),
                    None,
                    _display(model, n, getattr(row, _attname(model, n)), names, role),
                )
                for n in _CREATED_FIELDS[model]
            ]
        elif action == "changed" and prev is not None:
            delta = row.diff_against(prev)
            changes = [
                FieldChange(
                    c.field,
                    _label(model, c.field),
                    _display(model, c.field, c.old, names, role),
                    _display(model, c.field, c.new, names, role),
                )
                for c in sorted(delta.changes, key=lambda c: _position(model, c.field))
            ]
            if not changes:
                continue  # a save that changed nothing
        else:
            changes = []
        out.append(
            HistoryEntry(
                at=row.history_date,
                user=_who(row),
                object_type=object_type,
                object_label=label_of(row),
                action=action,
                changes=changes,
                history_id=row.history_id,
            )
        )
    return out


def _position(model, name: str) -> int:
    """Changes are listed in the order the fields appear on the form."""
    return [f.name for f in model._meta.fields].index(name)


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def household_history(
    household: Household, *, role: str | None = None, limit: int = 300
) -> list[HistoryEntry]:
    """One time line, newest first, of every recorded change to the household, its members
    (including a member's moving in or out), their incomes and its assets: who, when, and
    each field before → after. Values are masked for ``role`` (no role: everything masked)."""
    order = ("history_date", "history_id")
    hh_rows = Household.history.filter(id=household.pk).select_related("history_user").order_by(*order)
    person_ids = set(Person.history.filter(household_id=household.pk).values_list("id", flat=True))
    person_rows = list(
        Person.history.filter(id__in=person_ids).select_related("history_user").order_by(*order)
    )
    income_rows = IncomeItem.history.filter(person_id__in=person_ids).select_related("history_user")
    asset_rows = list(
        Asset.history.filter(household_id=household.pk).select_related("history_user").order_by(*order)
    )
    person_names = {r.id: r.name for r in person_rows}  # latest name wins (chronological)
    person_names.update(
        Person.objects.filter(pk__in={r.person_id for r in asset_rows} - set(person_names)).values_list(
            "pk", "name"
        )
    )
    household_ids = {r.household_id for r in person_rows} | {household.pk}
    town_ids = {r.town_id for r in hh_rows}
    names = _Names(
        dict(Household.objects.filter(pk__in=household_ids).values_list("pk", "code")),
        dict(Unit.objects.filter(pk__in=town_ids).values_list("pk", "name")),
        person_names,
    )

    def name(pk) -> str:
        return m.present("name", person_names.get(pk, f"#{pk}"), role)

    kinds_income = dict(IncomeItem.Kind.choices)
    kinds_asset = dict(Asset.Kind.choices)
    entries = [
        *_entries(hh_rows, Household, "household", lambda r: f"家庭 {household.code}", names, role),
        *_entries(
            person_rows,
            Person,
            "person",
            lambda r: f"成员 {name(r.id)}",
            names,
            role,
            # rows while the person belonged here, and the row that moved him out
            keep=lambda r, prev: (
                r.household_id == household.pk or (prev is not None and prev.household_id == household.pk)
            ),
        ),
        *_entries(
            income_rows.order_by(*order),
            IncomeItem,
            "income",
            lambda r: f"{name(r.person_id)} 的收入（{kinds_income.get(r.kind, r.kind)}）",
            names,
            role,
        ),
        *_entries(
            asset_rows,
            Asset,
            "asset",
            lambda r: f"资产（{kinds_asset.get(r.kind, r.kind)}）",
            names,
            role,
        ),
    ]
    entries.sort(key=lambda e: (e.at, e.history_id), reverse=True)
    return entries[:limit]


# --- units and summaries ----------------------------------------------------------------------


def units(*, kind: str | None = None):
    qs = Unit.objects.select_related("parent")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "sort_order", "code")


def registry_totals() -> dict:
    return {"households": Household.objects.count(), "persons": Person.objects.count()}


def town_overview():
    """Each town with its number of registered households and persons."""
    return (
        Unit.objects.filter(kind=Unit.Kind.TOWN)
        .annotate(
            household_count=Count("households", distinct=True),
            person_count=Count("households__members", distinct=True),
        )
        .order_by("sort_order", "code")
    )


def households_registered_by(user, *, limit: int = 10) -> list[Household]:
    pks = list(
        Household.history.filter(history_type="+", history_user=user)
        .order_by("-history_date")
        .values_list("id", flat=True)[:limit]
    )
    by_pk = _households().in_bulk(pks)
    return [by_pk[pk] for pk in pks if pk in by_pk]


def households_recently_changed(*, town: Unit | None = None, limit: int = 10) -> list[Household]:
    """Households whose own record or a member's changed most recently."""
    qs = _households().annotate(last_change=Greatest("updated_at", Max("members__updated_at")))
    if town is not None:
        qs = qs.filter(town=town)
    return list(qs.filter(~Q(last_change=None)).order_by("-last_change", "-id")[:limit])


def has_verified_facts(household) -> bool:
    """Whether the household receives assistance now (a running entitlement): its facts were
    verified for it and change only through a change request (jiuzhu.caseload)."""
    from django.apps import apps

    if not apps.is_installed("jiuzhu.decisions"):
        return False
    Entitlement = apps.get_model("decisions", "Entitlement")
    return Entitlement.objects.filter(household=household, status__in=("active", "gradual_exit")).exists()


def refuse_direct_edit(household) -> None:
    """The API's form of the same rule: a 409 pointing at the change-request endpoint."""
    if has_verified_facts(household):
        raise Conflict(
            "该家庭正在享受救助，已核实的信息不能直接修改；请通过 POST /api/caseload/changes 提出变更申请，"
            "经另一名工作人员复核后生效",
            code="change_request_required",
            household=household.code,
        )
