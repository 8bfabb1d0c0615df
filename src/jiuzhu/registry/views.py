"""Registry screens: the role-aware home page, search, the household page (with its history
time line) and the forms that register and correct households, members, incomes and assets.
Writes go through ``registry.services``; reads through ``registry.selectors``.

Extension point for later apps: a template ``<app>/panels/home.html`` or
``<app>/panels/home_<role>.html`` is included on the home page, and
``<app>/panels/household.html`` on the household page (context: ``household``, the model, and
``hv``, the masked read model) and ``<app>/panels/household_actions.html`` among its buttons at
the top, when the app is installed and the template exists. A panel
that needs data gets it from an inclusion tag of its own app.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from jiuzhu.common import clock, worklist
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError, NotFound, PermissionDenied
from jiuzhu.common.roles import role_of
from jiuzhu.common.selectors import access_log
from jiuzhu.common.services import log_access

from . import selectors, services
from .chain import assistance_chain
from .forms import (
    AssetForm,
    HouseholdForm,
    IncomeForm,
    MemberEditForm,
    MemberForm,
    blank_member_row,
    member_rows,
    row_index,
    split_member_field,
)
from .models import Person, Unit, User

ROLE_NAMES = dict(User.Role.choices)


# --- access ---------------------------------------------------------------------------------


def forbidden(request, message: str = ""):
    return render(
        request,
        "registry/forbidden.html",
        {
            "message": message or "您的角色不能打开此页面。",
            "role_name": ROLE_NAMES.get(role_of(request.user), ""),
        },
        status=403,
    )


def staff_view(*, write: bool = False):
    """Log-in required; the role must be allowed to read (or, with ``write``, to change) the
    registry, else a 403 page. A ``NotFound`` from a selector becomes a 404."""
    allowed = selectors.can_write if write else selectors.can_read

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except PermissionDenied as exc:  # out of the actor's scope (jiuzhu.common.scope)
                return forbidden(request, exc.message)

        return wrapped

    return decorate


def panel_templates(place: str, role: str) -> list[str]:
    """Panel templates of the installed apps for ``place`` ("home", "household"), in app order."""
    out = []
    for app in settings.INSTALLED_APPS:
        if not app.startswith("jiuzhu."):
            continue
        label = app.split(".")[1]
        for name in (f"{label}/panels/{place}.html", f"{label}/panels/{place}_{role}.html"):
            try:
                get_template(name)
            except TemplateDoesNotExist:
                continue
            out.append(name)
    return out


def _to_change_request(request, h):
    """A household receiving assistance has verified facts: they change only through a change
    request checked by a second person (jiuzhu.caseload), never by a direct edit here."""
    if not selectors.has_verified_facts(h):
        return None
    try:
        url = reverse("caseload:change_new", args=[h.code])
    except NoReverseMatch:
        return None
    messages.info(
        request, "该家庭正在享受救助，已核实的信息不能直接修改：请提出变更申请，经另一名工作人员复核后生效。"
    )
    return redirect(url)


# --- home, search, units ----------------------------------------------------------------------


@login_required
def home(request):
    user, role = request.user, role_of(request.user)
    ctx = {
        "user_role": role,
        "role_name": ROLE_NAMES.get(role, "未分配角色"),
        "panels": panel_templates("home", role),
        "can_write": selectors.can_write(user),
        "queues": worklist.collect(user=user, role=role, today=clock.today()) if role else [],
    }
    town = user.unit if user.unit and user.unit.kind == Unit.Kind.TOWN else None
    if role == m.WINDOW_CLERK:
        ctx["recent"] = _summaries(selectors.households_registered_by(user), role)
    elif role == m.TOWN_CASEWORKER:
        ctx["recent"] = _summaries(selectors.households_recently_changed(town=town), role)
        ctx["town"] = town
    elif role == m.VERIFICATION_OFFICER:
        ctx["data_sources"] = selectors.units().filter(is_data_source=True)
    elif role == m.SUPERVISOR:
        ctx["access_rows"] = access_log(limit=15)
    if role in (m.APPROVER, m.CONVENER, m.ADMIN, m.SUPERVISOR):
        ctx["totals"] = selectors.registry_totals()
        ctx["overview"] = selectors.town_overview()
    return render(request, "registry/home.html", ctx)


def _summaries(households, role):
    return [selectors.household_summary(h, role) for h in households]


@staff_view()
def search(request):
    q = request.GET.get("q", "")
    role = role_of(request.user)
    with transaction.atomic():
        result = selectors.household_search(q, request.user)
        if result.mode != "empty":
            log_access(
                user=request.user, action="search", object_type="household_search", object_id=q.strip()[:60]
            )
    return render(
        request,
        "registry/search.html",
        {
            "q": q,
            "result": result,
            "hits": _summaries(result.households, role),
            "can_write": selectors.can_write(request.user),
        },
    )


@login_required
def units(request):
    return render(
        request,
        "registry/units.html",
        {
            "towns": selectors.units(kind=Unit.Kind.TOWN),
            "departments": selectors.units(kind=Unit.Kind.DEPARTMENT),
        },
    )


# --- the household page -------------------------------------------------------------------------


@staff_view()
def household(request, code):
    from .views_facts import page_context as programme_page

    role = role_of(request.user)
    with transaction.atomic():
        h = selectors.household_for(request.user, code)
    hv = selectors.household_view(h, role)
    return render(
        request,
        "registry/household.html",
        {
            "household": h,
            "hv": hv,
            "has_incomes": any(p["incomes"] for p in hv["members"]),
            "history": selectors.household_history(h, role=role),
            "chain": assistance_chain(household=h, role=role, actor=request.user),
            "can_write": selectors.can_write(request.user),
            "panels": panel_templates("household", role),
            "action_panels": panel_templates("household_actions", role),
            **programme_page(h, role),
        },
    )


# --- registering and correcting ------------------------------------------------------------------


@staff_view(write=True)
def household_create(request):
    form, rows, status = None, None, 200
    if request.method == "POST":
        form = HouseholdForm(request.POST)
        rows = member_rows(request.POST)
        if "add_member" in request.POST:  # without JavaScript: the button posts the form
            rows.append(blank_member_row(_next_index(rows), first=not rows))
        elif "remove_member" in request.POST:
            rows = [r for r in rows if str(row_index(r)) != request.POST["remove_member"]]
        else:
            created = _create(request, form, rows)
            if created is not None:
                messages.success(
                    request,
                    f"已登记家庭 {created.code}，共 {created.members.count()} 人。"
                    "可在本页受理申请，并登记领取人的银行账户（须另一人复核）。",
                )
                return redirect("registry:household", code=created.code)
            status = 400
    else:
        form = HouseholdForm(initial=HouseholdForm.initial_for(request.user))
        rows = [blank_member_row(0, first=True)]
    rows = rows or [blank_member_row(0, first=True)]
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "rows": rows,
            "rows_have_errors": status == 400 and any(r.is_bound and r.errors for r in rows),
            "next_index": _next_index(rows),
            "creating": True,
            "members_error": _members_error(form),
        },
        status=status,
    )


def _next_index(rows) -> int:
    return max((row_index(r) for r in rows), default=-1) + 1


def _members_error(form):
    return getattr(form, "members_error", "") if form is not None else ""


def _create(request, form: HouseholdForm, rows: list[MemberForm]):
    # Validate every form (no short-circuit) so each shows its own type errors at once.
    valid = [f.is_valid() for f in (form, *rows)]
    if not all(valid):
        _mark(form, rows)
        return None
    filled = [r for r in rows if not r.is_blank()]
    try:
        data = dict(form.values())
        return services.household_create(actor=request.user, data=data, members=[r.values() for r in filled])
    except JiuzhuError as exc:
        index, name = split_member_field(exc.field)
        if index is not None and index < len(filled):
            filled[index].place_error(exc, name)
        elif exc.field == "members":
            form.members_error = exc.message
        else:
            form.place_error(exc)
        _mark(form, rows)
        return None


def _mark(form, rows):
    """Focus goes to the first wrong field of the whole page."""
    forms = [form, *rows]
    first = next((f for f in forms if any(n in f.fields for n in f.errors)), None)
    if first is None and not form.non_field_errors():
        return
    for f in forms:
        f.clear_focus()
    if first is not None:
        first.mark_errors()


@require_GET
@staff_view(write=True)
def member_row(request):
    """One more blank member row for the registration form (HTMX), and the next row number."""
    try:
        index = max(0, min(int(request.GET.get("next_index", "1")), 999))
    except ValueError:
        index = 1
    row = blank_member_row(index)
    row.fields["name"].widget.attrs["autofocus"] = True
    return render(request, "registry/_member_row_htmx.html", {"row": row, "next_index": index + 1})


@staff_view(write=True)
def household_edit(request, code):
    h = selectors.household_detail(code)
    selectors.ensure_can_write(request.user, h)
    if (to_change := _to_change_request(request, h)) is not None:
        return to_change
    if request.method == "POST":
        form = HouseholdForm(request.POST)
        if form.is_valid():
            try:
                services.household_update(actor=request.user, household=h, data=form.values())
            except JiuzhuError as exc:
                form.place_error(exc)
            else:
                messages.success(request, "家庭信息已保存。")
                return redirect("registry:household", code=code)
        form.mark_errors()
        status = 400
    else:
        form = HouseholdForm(
            initial={
                "town": h.town.code,
                "community": h.community,
                "division_code": h.division_code,
                "area": h.area,
                "address": h.address,
                "phone": h.phone,
                "dwelling_area": h.dwelling_area,
            }
        )
        status = 200
    return render(
        request,
        "registry/household_form.html",
        {"form": form, "household": h, "creating": False},
        status=status,
    )


@staff_view(write=True)
def member_add(request, code):
    h = selectors.get_household(code)
    selectors.ensure_can_write(request.user, h)
    if (to_change := _to_change_request(request, h)) is not None:
        return to_change
    if request.method == "POST":
        form = MemberForm(request.POST)
        if form.is_valid():
            try:
                person = services.member_add(actor=request.user, household=h, data=form.values())
            except JiuzhuError as exc:
                form.place_error(exc, split_member_field(exc.field)[1])
            else:
                messages.success(request, f"已增加成员 {person.name}。")
                return redirect(reverse("registry:household", args=[code]) + "#members")
        form.mark_errors()
        status = 400
    else:
        form = MemberForm(initial={"relation": "child"})
        form.fields["name"].widget.attrs["autofocus"] = True
        status = 200
    return render(
        request, "registry/member_form.html", {"form": form, "household": h, "person": None}, status=status
    )


@staff_view(write=True)
def member_edit(request, code, pk):
    h = selectors.get_household(code)
    selectors.ensure_can_write(request.user, h)
    if (to_change := _to_change_request(request, h)) is not None:
        return to_change
    person = Person.objects.filter(household=h, pk=pk).first()
    if person is None:
        raise Http404("该家庭没有这名成员")
    role = role_of(request.user)
    if request.method == "POST":
        form = MemberEditForm(request.POST, role=role)
        if form.is_valid():
            try:
                services.member_update(actor=request.user, person=person, data=form.values())
            except JiuzhuError as exc:
                form.place_error(exc)
            else:
                messages.success(request, f"成员 {person.name} 的信息已保存。")
                return redirect(reverse("registry:household", args=[code]) + "#members")
        form.mark_errors()
        status = 400
    else:
        with transaction.atomic():
            log_access(
                user=request.user,
                action="view",
                object_type="person",
                object_id=person.pk,
                household_code=h.code,
            )
        form = MemberEditForm(initial=MemberEditForm.initial_for(person), role=role)
        form.fields["name"].widget.attrs["autofocus"] = True
        status = 200
    return render(
        request,
        "registry/member_form.html",
        {"form": form, "household": h, "person": selectors.member_view(person, role)},
        status=status,
    )


def _member_choices(h, role) -> list[dict]:
    return [
        {"id": p.pk, "label": f"{m.present('name', p.name, role)}（{p.get_relation_display()}）"}
        for p in h.members.order_by(*selectors.MEMBER_ORDER)
    ]


@staff_view(write=True)
def income_add(request, code):
    h = selectors.get_household(code)
    selectors.ensure_can_write(request.user, h)
    if (to_change := _to_change_request(request, h)) is not None:
        return to_change
    members = _member_choices(h, role_of(request.user))
    if request.method == "POST":
        form = IncomeForm(request.POST, members=members)
        if form.is_valid():
            data = form.values()
            person = h.members.get(pk=int(data.pop("person")))
            try:
                services.income_add(actor=request.user, person=person, **data)
            except JiuzhuError as exc:
                form.place_error(exc)
            else:
                messages.success(request, f"已登记 {person.name} 的收入。")
                return redirect(reverse("registry:household", args=[code]) + "#incomes")
        form.mark_errors()
        status = 400
    else:
        initial = IncomeForm.initial_for(clock.today())
        if request.GET.get("person"):
            initial["person"] = request.GET["person"]
        form = IncomeForm(initial=initial, members=members)
        status = 200
    return render(
        request,
        "registry/record_form.html",
        {"form": form, "household": h, "title": "登记收入", "anchor": "incomes"},
        status=status,
    )


@staff_view(write=True)
def asset_add(request, code):
    h = selectors.get_household(code)
    selectors.ensure_can_write(request.user, h)
    if (to_change := _to_change_request(request, h)) is not None:
        return to_change
    members = _member_choices(h, role_of(request.user))
    if request.method == "POST":
        form = AssetForm(request.POST, members=members)
        if form.is_valid():
            data = form.values()
            owner = data.pop("person")
            person = h.members.get(pk=int(owner)) if owner else None
            try:
                services.asset_add(actor=request.user, household=h, person=person, **data)
            except JiuzhuError as exc:
                form.place_error(exc)
            else:
                messages.success(request, "资产已登记。")
                return redirect(reverse("registry:household", args=[code]) + "#assets")
        form.mark_errors()
        status = 400
    else:
        form = AssetForm(initial={"as_of": clock.today()}, members=members)
        status = 200
    return render(
        request,
        "registry/record_form.html",
        {"form": form, "household": h, "title": "登记资产", "anchor": "assets"},
        status=status,
    )
