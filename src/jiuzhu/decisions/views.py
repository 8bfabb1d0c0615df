"""Screens of the decision workflow (caseworker and approver at /decisions/), the periodic
reviews, letters as PDF, and the public notice pages (no login) with the objection form.
Views parse the form, call one service and redirect; a broken rule comes back as the service's
Chinese message on the page the user came from."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jiuzhu.common import clock, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.exports import Sheet, download, write_xlsx
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip
from jiuzhu.common.views import post_action
from jiuzhu.verification import selectors as verification_selectors

from . import cases, grants, letters, notices, reviews, selectors
from .models import (
    Case,
    CaseState,
    ExtensionGround,
    GrantRequest,
    Investigation,
    InvestigationKind,
    Letter,
    Notice,
    Review,
    ReviewOutcome,
)

acts = post_action("decisions:home")


def _error(request, exc: JiuzhuError):
    return render(request, "decisions/error.html", {"error": exc}, status=exc.status)


def _date(raw: str | None, field: str, default: date | None = None) -> date:
    if not raw:
        if default is not None:
            return default
        raise ValidationFailed("请填写日期", field=field, code="required")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"日期“{raw}”格式应为 YYYY-MM-DD", field=field) from None


def _ensure_reader(user, case: Case | None = None, *, town=None) -> str:
    """The scope table's ``case.read``: a town caseworker his town's cases, reviews and
    letters; the approver and the city's judges all of them."""
    if case is not None:
        town = case.town_id
    scope.require(user, "case.read", town=town)
    return role_of(user)


@login_required
def home(request):
    try:
        role = _ensure_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    state = request.GET.get("state", "open")
    ctx = {
        "role": role,
        "state": state,
        "states": [("open", "办理中"), *CaseState.choices, ("", "全部")],
        "cases": selectors.cases_for(request.user, state=state or None),
        "to_open": selectors.referrals_to_open(request.user) if role == m.TOWN_CASEWORKER else [],
        "reviews": [
            r
            for r in selectors.reviews_for(request.user)
            if (role == m.TOWN_CASEWORKER and r.state == Review.PROPOSED)
            or (role == m.APPROVER and r.state == Review.CONFIRMED)
        ],
        "today": clock.today(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "decisions/_cases.html", ctx)
    return render(request, "decisions/home.html", ctx)


@acts
def case_open(request, referral_id: int):
    c = cases.case_open(actor=request.user, referral=referral_id)
    messages.success(request, f"已启动审核确认，办理期限 {c.due_on.isoformat()}")
    return redirect("decisions:case", pk=c.pk)


def _members(case: Case, role: str) -> list[dict]:
    return [
        {
            "name": m.present("name", p.name, role),
            "id_number": m.present("id_number", p.id_number, role),
            "relation": p.get_relation_display(),
            "deceased": bool(p.deceased_on),
        }
        for p in case.household.members.order_by("id")
    ]


@login_required
def case(request, pk: int):
    try:
        with transaction.atomic():
            c = (
                Case.objects.select_related("household", "town", "referral__application")
                .filter(pk=pk)
                .first()
            )
            if c is None:
                raise NotFound("审核确认案件不存在")
            role = _ensure_reader(request.user, c)
            log_access(
                user=request.user,
                action="view",
                object_type="decisions.case",
                object_id=c.pk,
                household_code=c.household.code,
                purpose="审核确认",
            )
    except JiuzhuError as exc:
        return _error(request, exc)
    today = clock.today()
    running = notices.current(c)
    return render(
        request,
        "decisions/case.html",
        {
            "c": c,
            "role": role,
            "is_caseworker": role == m.TOWN_CASEWORKER and request.user.unit_id == c.town_id,
            "is_approver": role == m.APPROVER,
            "members": _members(c, role),
            "investigations": c.investigations.order_by("done_on", "id"),
            "kinds": [
                k
                for k in InvestigationKind.choices
                if k[0] not in (Investigation.COUNTY_VISIT, Investigation.REINVESTIGATION)
            ],
            "notices": c.notices.prefetch_related("objections").order_by("id"),
            "running": running,
            "notice_over": running is not None and running.ends_on < today,
            "letters": selectors.letters_of(c),
            "flag": selectors.case_flag(c, today),
            "stage": selectors.stage(c, today),
            # 收款账户: the payee's account, captured and confirmed before approval (issue 19)
            **_payee_account(request.user, c, role),
            "grounds": ExtensionGround.choices,
            "today": today,
            "reasons": c.result.get("reasons", []),
            "income_visible": m.sees("income", role),
            # verification asked from the case itself (issue 19), by whom the scope table lets
            "verifications": verification_selectors.requests_for_case(
                user=request.user, household=c.household, service_code=c.service_code
            ),
            "can_verify": c.is_open
            and scope.allows(
                request.user, "verification.request", household=c.household, service=c.service_code
            ),
        },
    )


# A household's bank accounts are payments' to show. Payments sits above decisions (it pays
# entitlements), so it hands its reader in at start-up (PaymentsConfig.ready).
ACCOUNT_READER: dict = {}


def register_account_reader(reader) -> None:
    ACCOUNT_READER["payments"] = reader


def _payee_account(user, c: Case, role: str) -> dict:
    """The open case's payee and his bank account as ``user`` may see it (``None`` when he may
    not read accounts), and whether it is missing: without a confirmed account the first roll
    holds the household's money, so the approver is warned and must say he approves anyway."""
    if not c.is_open:
        return {"payee_account": None, "account_missing": False}
    payee = cases.payee_of(c)
    reader = ACCOUNT_READER.get("payments")
    accounts = (reader(actor=user, household=c.household) if reader else None) or []
    return {
        "payee_account": next((a for a in accounts if a["person_id"] == payee.pk), None),
        "account_missing": not cases.has_account(payee),
    }


def _staff(p) -> list[str]:
    return [
        x for x in (p.get("staff_names", "").replace("，", ",").replace("、", ",")).split(",") if x.strip()
    ]


@acts
def case_act(request, pk: int, action: str):
    p, user = request.POST, request.user
    if action == "investigate":
        cases.investigation_record(
            actor=user,
            case=pk,
            kind=p.get("kind", ""),
            done_on=_date(p.get("done_on"), "done_on"),
            staff_names=_staff(p),
            findings=p.get("findings", ""),
        )
        done = "调查记录已登记"
    elif action == "opinion":
        cases.opinion_give(actor=user, case=pk, recommend=p.get("recommend", ""), note=p.get("note", ""))
        done = "初审意见已提出"
    elif action == "extend":
        cases.deadline_extend(actor=user, case=pk, ground=p.get("ground", ""), note=p.get("note", ""))
        done = "办理期限已延长"
    elif action == "signoff":
        cases.relative_signoff(actor=user, case=pk, note=p.get("note", ""))
        done = "已签批"
    elif action == "approve":
        cases.case_approve(
            actor=user, case=pk, note=p.get("note", ""), without_account=p.get("without_account") == "1"
        )
        done = "已批准，待遇已生成"
    elif action == "refuse":
        alts = [x for x in p.get("alternatives", "").splitlines() if x.strip()]
        cases.case_refuse(actor=user, case=pk, reasons=p.get("reasons", ""), alternatives=alts)
        done = "已作出不予批准决定，决定书已生成"
    elif action == "objection":
        notices.objection_handle(
            actor=user,
            objection=int(p["objection"]) if p.get("objection", "").isdigit() else 0,
            upheld=p.get("upheld") == "1",
            note=p.get("note", ""),
            staff_names=_staff(p),
        )
        done = "异议已处理"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("decisions:case", pk=pk)


@login_required
def letter_pdf(request, pk: int):
    try:
        with transaction.atomic():
            letter = Letter.objects.select_related("household", "case", "review").filter(pk=pk).first()
            if letter is None:
                raise NotFound("决定书不存在")
            if letter.case is not None:
                town = letter.case.town_id
            else:
                assert letter.review is not None  # a letter answers a case or a review
                town = letter.review.town_id
            _ensure_reader(request.user, town=town)
            log_access(
                user=request.user,
                action="export",
                object_type="decisions.letter",
                object_id=letter.number,
                household_code=letter.household.code,
                purpose="打印决定书",
            )
    except JiuzhuError as exc:
        return _error(request, exc)
    return download(letters.pdf(letter), f"{letter.get_kind_display()}-{letter.number}.pdf", inline=True)


# --- reviews ------------------------------------------------------------------------------------


@login_required
def review(request, pk: int):
    r = Review.objects.select_related("household", "entitlement", "town").filter(pk=pk).first()
    try:
        if r is None:
            raise NotFound("复核任务不存在")
        role = _ensure_reader(request.user, town=r.town_id)
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(
        request,
        "decisions/review.html",
        {
            "r": r,
            "role": role,
            "outcomes": ReviewOutcome.choices,
            "letters": reviews.letters_of(r),
            "payee": m.present("name", r.entitlement.payee.name, role),
        },
    )


@acts
def review_act(request, pk: int, action: str):
    p = request.POST
    if action == "confirm":
        reviews.review_confirm(
            actor=request.user,
            review=pk,
            outcome=p.get("outcome") or None,
            amount=p.get("amount") or None,
            note=p.get("note", ""),
        )
        done = "复核结论已确认，待审批"
    elif action == "sign":
        reviews.review_sign(actor=request.user, review=pk)
        done = "复核已审批，决定书已生成"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("decisions:review", pk=pk)


# --- grants held for a second signature (发放签批) -----------------------------------------------


def _grant_reader(user, req: GrantRequest | None = None) -> str:
    scope.require(user, "grant.read", unit=req.unit if req is not None else None)
    return role_of(user)


@login_required
def grants_list(request):
    try:
        role = _grant_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(
        request,
        "decisions/grants.html",
        {
            "role": role,
            "requests": selectors.grant_requests_for(request.user, state=request.GET.get("state", "pending")),
        },
    )


@login_required
def grant(request, pk: int):
    req = (
        GrantRequest.objects.select_related("household", "unit", "made_by", "signed_by", "referral")
        .filter(pk=pk)
        .first()
    )
    try:
        if req is None:
            raise NotFound("待签批给付不存在")
        role = _grant_reader(request.user, req)
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(request, "decisions/grant.html", {"g": req, "role": role, "today": clock.today()})


@acts
def grant_act(request, pk: int, action: str):
    p = request.POST
    if action == "sign":
        members = [
            x
            for x in p.get("joint_members", "").replace("，", "\n").replace(",", "\n").splitlines()
            if x.strip()
        ]
        met = _date(p.get("joint_met_on"), "joint_met_on") if p.get("joint_met_on") else None
        grants.grant_sign(
            actor=request.user,
            request=pk,
            note=p.get("note", ""),
            joint_met_on=met,
            joint_members=members,
            joint_minutes=p.get("joint_minutes", ""),
        )
        done = "已签批：给付生效，按起始月份纳入发放名册"
    elif action == "return":
        grants.grant_return(actor=request.user, request=pk, note=p.get("note", ""))
        done = "已退回经办单位"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect("decisions:grant", pk=pk)


# --- public notices (no login) ------------------------------------------------------------------


def _place(request) -> tuple[str, str]:
    """(town code, village) of the public filter: ``place=<town>|<village>`` (a village is
    chosen within its town), or the older ``town`` / ``community`` parameters."""
    if "place" in request.GET:
        return notices.place(request.GET["place"])
    return request.GET.get("town", "").strip(), request.GET.get("community", "").strip()


def public_notices(request):
    town, community = _place(request)
    towns = notices.communities()
    town_name = next((t["name"] for t in towns if t["code"] == town), "")
    return render(
        request,
        "decisions/notices.html",
        {
            "community": community,
            "town": town,
            "town_name": town_name,
            "place": f"{town}|{community}" if town or community else "",
            "current": notices.public_notices(community=community, town_code=town)[:500],
            "past": notices.public_notices(community=community, town_code=town, past=True)[:500],
            "towns": towns,
        },
    )


def public_notices_xlsx(request):
    """The published recipient list (approved after notice) as Excel: the same columns the
    public page shows, nothing more."""
    town, community = _place(request)
    rows = (
        [
            n.shown_name,
            n.town.name,
            n.community,
            n.household_size,
            n.service_name,
            n.amount,
            n.starts_on,
            n.ends_on,
        ]
        for n in notices.public_notices(community=community, town_code=town, past=True).iterator()
    )
    title = f"最低生活保障、特困人员救助供养公示名单{(' · ' + community) if community else ''}"
    header = [
        "姓名",
        "镇（街道）",
        "村（社区）",
        "保障人数",
        "救助事项",
        "金额（元/月）",
        "公示开始",
        "公示结束",
    ]
    return download(
        write_xlsx([Sheet("保障对象名单", header, rows, caption=title)]),
        f"保障对象公示名单{('-' + community) if community else ''}.xlsx",
    )


@require_POST
def objection(request, pk: int):
    notice = Notice.objects.filter(pk=pk).first()
    status = 200
    ctx: dict[str, Any] = {"notice": notice}
    try:
        if notice is None:
            raise NotFound("公示不存在")
        notices.objection_lodge(
            notice=notice,
            text=request.POST.get("text", ""),
            ip=client_ip(request),
            contact_name=request.POST.get("contact_name", ""),
            contact_phone=request.POST.get("contact_phone", ""),
        )
        ctx["done"] = True
    except JiuzhuError as exc:
        ctx["error"], status = exc.message, exc.status
    response = render(request, "decisions/objection_done.html", ctx, status=status)
    if status == 429:
        response["Retry-After"] = str(notices.objection_limits()[1])
    return response


# --- close relatives of staff (近亲属备案) ----------------------------------------------------


@login_required
def relatives(request):
    """Each member of staff declares his close relatives and records his own ID number here;
    an admin declares for any member of staff and sees every declaration."""
    from jiuzhu.registry.models import StaffRelative, User

    try:
        rows = selectors.declared_relatives(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    role = role_of(request.user)
    admin = role == m.ADMIN
    staff = User.objects.filter(unit__isnull=False).select_related("unit").order_by("unit__name", "username")
    return render(
        request,
        "decisions/relatives.html",
        {
            "rows": [
                (x, m.present("name", x.name, role), m.present("id_number", x.id_number, role)) for x in rows
            ],
            "own_id": m.mask_id_number(request.user.id_number) if request.user.id_number else "",
            "relations": StaffRelative.Relation.choices,
            "admin": admin,
            "staff": staff if admin else [],
        },
    )


@post_action("decisions:relatives")
def relative_declare(request):
    from jiuzhu.registry.models import User

    from .relatives import relative_declare as declare

    p = request.POST
    staff = None
    if p.get("staff"):
        staff = User.objects.filter(pk=int(p["staff"]) if p["staff"].isdigit() else 0).first()
        if staff is None:
            raise NotFound("工作人员不存在", field="staff")
    x = declare(
        actor=request.user,
        staff=staff,
        name=p.get("name", ""),
        id_number=p.get("id_number", ""),
        relation=p.get("relation", ""),
    )
    messages.success(
        request, f"已申报备案：{x.declarant_name}的{x.get_relation_display()}{m.mask_name(x.name)}"
    )
    return redirect("decisions:relatives")


@post_action("decisions:relatives")
def staff_id_number(request):
    from .relatives import staff_id_number_set

    u = staff_id_number_set(actor=request.user, id_number=request.POST.get("id_number", ""))
    messages.success(request, f"已登记本人身份证号码 {m.mask_id_number(u.id_number)}")
    return redirect("decisions:relatives")


# --- reviews of department entitlements (DOMAIN §7 "Lifecycle") -------------------------------


@login_required
def department_reviews(request):
    from jiuzhu.common import scope

    from .department_reviews import due

    try:
        scope.require(request.user, "entitlement.review", unit=request.user.unit)
    except JiuzhuError as exc:
        return _error(request, exc)
    rows = list(due(unit=request.user.unit, today=clock.today())) if request.user.unit_id else []
    return render(request, "decisions/department_reviews.html", {"rows": rows, "today": clock.today()})


@post_action("decisions:department_reviews")
def department_review(request, pk: int):
    from .department_reviews import department_review as review

    out = review(actor=request.user, entitlement=pk)
    messages.success(request, out.text)
    return redirect("decisions:department_reviews")
