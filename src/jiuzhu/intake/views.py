"""Window screens, the unit inbox, the printable receipt, and the public tracking and results
pages. Views parse the form, call one service and redirect; a broken rule comes back as the
service's Chinese message on the same page."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import JiuzhuError, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.signin import client_ip
from jiuzhu.common.views import back_url, post_action
from jiuzhu.policy.grants import officer_limit
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, Unit
from jiuzhu.registry.selectors import get_household, household_search, household_summary

from . import catalogue, documents, handling, results, selectors, services, tracking
from .models import (
    NEEDS,
    AmountPeriod,
    Application,
    DocumentKind,
    EmergencyAid,
    Referral,
    Requester,
)
from .ports import entitlements

acts = post_action("intake:window")


def _forbidden(request, exc: JiuzhuError):
    return render(request, "intake/error.html", {"error": exc}, status=exc.status)


def _date(raw: str | None, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"日期“{raw}”格式应为 YYYY-MM-DD", field=field) from None


# --- window -------------------------------------------------------------------------------


@login_required
def window(request):
    try:
        town = services.ensure_window_staff(request.user)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    q = request.GET.get("q", "").strip()
    found = household_search(q, request.user) if q else None
    rows = [household_summary(h, role_of(request.user)) for h in found.households] if found else []
    try:
        register_url = reverse("registry:household_create")
    except NoReverseMatch:
        register_url = None
    return render(
        request,
        "intake/window.html",
        {
            "town": town,
            "q": q,
            "found": found,
            "rows": rows,
            "register_url": register_url,
            "applications": selectors.window_applications(town, limit=20),
            "lists": selectors.deadline_lists(window=town),
            "aids": selectors.open_emergency_aids(window=town),
            "urgent": selectors.urgent_requests(window=town)
            if scope.allows(request.user, "emergency.grant", town=town)
            else [],
            "notices": selectors.notifications_for(request.user, limit=10),
        },
    )


@login_required
def application_new(request, household_code: str):
    try:
        services.ensure_window_staff(request.user)
        household = get_household(household_code)
    except JiuzhuError as exc:
        return _forbidden(request, exc)
    members = list(household.members.order_by("id"))
    if request.method == "POST":
        applicant = next((p for p in members if str(p.pk) == request.POST.get("applicant")), None)
        try:
            app = services.application_create(
                actor=request.user,
                household=household,
                applicant=applicant,
                needs=request.POST.getlist("needs"),
                description=request.POST.get("description", ""),
                requester_kind=request.POST.get("requester_kind", "self"),
                requester_name=request.POST.get("requester_name", ""),
                requester_phone=request.POST.get("requester_phone", ""),
                promise_signed=bool(request.POST.get("promise_signed")),
                emergency_cause=request.POST.get("emergency_cause", ""),
                emergency_cause_note=request.POST.get("emergency_cause_note", ""),
                emergency_need=request.POST.get("emergency_need", "").strip() or None,
            )
        except JiuzhuError as exc:
            messages.error(request, exc.message)
        else:
            if getattr(app, "reused", False):
                messages.info(
                    request,
                    f"该家庭已有相同需求的申请正在办理（查询码 {tracking.display(app.tracking_code)}），未重复受理",
                )
                return redirect("intake:application", code=app.tracking_code)
            messages.success(request, f"已受理，查询码 {tracking.display(app.tracking_code)}")
            return redirect("intake:application", code=app.tracking_code)
    return render(
        request,
        "intake/application_new.html",
        {
            "household": household,
            "members": members,
            "needs": NEEDS,
            "requesters": Requester.choices,
            "causes": EmergencyAid.CAUSES,
            "post": request.POST if request.method == "POST" else None,
        },
    )


def _load(request, code):
    app = services.get_application(code)
    selectors.ensure_can_view(request.user, app)
    return app


@login_required
def application(request, code: str):
    try:
        with transaction.atomic():
            app = _load(request, code)
            log_access(
                user=request.user,
                action="view",
                object_type="intake.application",
                object_id=app.tracking_code,
                household_code=app.household.code,
                purpose="一门受理办理",
            )
    except JiuzhuError as exc:
        return _forbidden(request, exc)
    user = request.user
    is_window = scope.allows(user, "application.take", town=app.window_id)
    view = selectors.application_view(app, user)
    return render(
        request,
        "intake/application.html",
        {
            "app": app,
            "view": view,
            "is_window": is_window,
            "can_emergency": scope.allows(user, "emergency.grant", town=app.window_id),
            "emergency_offer": selectors.emergency_offer(app) if "emergency" in app.needs else None,
            "proposals": selectors.proposal_groups(selectors.proposals(app))
            if is_window and app.status == Application.OPEN
            else [],
            "members": list(app.household.members.order_by("id")),
            "service_choices": [(x.code, x.name) for x in catalogue.services(current_policy())],
            "doc_kinds": DocumentKind.choices,
            "causes": EmergencyAid.CAUSES,
            "emergency_limit": catalogue.emergency_limit(current_policy(), clock.today()),
            "today": clock.today(),
            "display_code": tracking.display(app.tracking_code),
        },
    )


@acts
def document_upload(request, code: str):
    app = services.get_application(code)
    f = request.FILES.get("file")
    if f is None:
        raise ValidationFailed("请选择文件", field="file", code="required")
    services.document_add(
        actor=request.user,
        application=app,
        file=f,
        name=f.name,
        kind=request.POST.get("kind", "other"),
        title=request.POST.get("title", ""),
    )
    messages.success(request, "材料已上传")
    return redirect("intake:application", code=app.tracking_code)


@acts
def authorisation_add(request, code: str):
    app = services.get_application(code)
    person = Person.objects.filter(pk=request.POST.get("person") or 0, household=app.household).first()
    if person is None:
        raise ValidationFailed("请选择授权的家庭成员", field="person", code="required")
    codes = [c for c in dict.fromkeys(request.POST.getlist("service_code")) if c]
    if not codes:
        raise ValidationFailed("请选择授权书所为的救助事项", field="service_code", code="required")
    signed_on = _date(request.POST.get("signed_on"), "signed_on") or clock.today()
    with transaction.atomic():
        doc = None
        f = request.FILES.get("file")
        if f is not None:
            doc = services.document_add(
                actor=request.user, application=app, file=f, name=f.name, kind="authorisation"
            )
        for code_ in codes:  # one authorisation per service the signed form names
            services.authorisation_record(
                actor=request.user,
                application=app,
                person=person,
                signed_on=signed_on,
                document=doc,
                service_code=code_,
            )
    messages.success(request, "核对授权已登记")
    return redirect("intake:application", code=app.tracking_code)


@acts
def refer(request, code: str):
    app = services.get_application(code)
    made = services.refer(
        actor=request.user,
        application=app,
        service_codes=request.POST.getlist("services"),
        note=request.POST.get("note", ""),
        cause=request.POST.get("cause", ""),
        cause_note=request.POST.get("cause_note", ""),
    )
    messages.success(request, "已分办：" + "、".join(f"{r.service_name}→{r.unit.name}" for r in made))
    return redirect("intake:application", code=app.tracking_code)


@acts
def emergency(request, code: str):
    app = services.get_application(code)
    services.emergency_grant(
        actor=request.user,
        application=app,
        amount=request.POST.get("amount", "").strip() or None,  # none typed: the rule's amount
        cause=request.POST.get("cause", ""),
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已先行救助，请在期限内补齐手续")
    if request.POST.get("from") == "window":
        return redirect("intake:window")
    return redirect("intake:application", code=app.tracking_code)


@acts
def emergency_complete(request, aid_id: int):
    aid = EmergencyAid.objects.select_related("application").filter(pk=aid_id).first()
    if aid is None:
        raise NotFound("先行救助记录不存在")
    services.emergency_complete(
        actor=request.user,
        aid=aid,
        note=request.POST.get("note", ""),
        version=_int(request.POST.get("version")),
    )
    messages.success(request, "先行救助手续已补齐")
    return redirect("intake:application", code=aid.application.tracking_code)


@login_required
def receipt(request, code: str):
    try:
        app = _load(request, code)
    except JiuzhuError as exc:
        return _forbidden(request, exc)
    return render(
        request,
        "intake/receipt.html",
        {
            "app": app,
            "display_code": tracking.display(app.tracking_code),
            "referrals": [legs[-1] for legs in selectors.chains(app)],
            "documents": app.documents.all(),
            "track_url": request.build_absolute_uri(reverse("intake:track")),
            "city": current_policy().city.name,
        },
    )


@login_required
def document(request, doc_id: int):
    try:
        doc = selectors.document_for(request.user, doc_id)
    except JiuzhuError as exc:
        return _forbidden(request, exc)
    return FileResponse(documents.open_stored(doc.path), content_type=doc.content_type)


# --- unit inbox -----------------------------------------------------------------------------


@login_required
def inbox(request):
    user = request.user
    city_wide = selectors.reads_city_wide(user)
    if user.unit is None and not city_wide:
        return _forbidden(request, PermissionDenied("您没有所属单位"))
    return render(
        request,
        "intake/inbox.html",
        {
            "unit": user.unit,
            "referrals": selectors.inbox(user.unit, include_closed=True) if user.unit else [],
            "lists": selectors.deadline_lists(unit=user.unit) if user.unit else None,
            "city": selectors.deadline_lists() if city_wide else None,
            "notices": selectors.notifications_for(user, limit=10),
        },
    )


@login_required
def referral(request, ref_id: int):
    r = (
        Referral.objects.select_related("application", "application__window", "unit")
        .filter(pk=ref_id)
        .first()
    )
    try:
        if r is None:
            raise NotFound("分办事项不存在")
        selectors.ensure_can_view(request.user, r.application)
    except JiuzhuError as exc:
        return _forbidden(request, exc)
    legs = next((c for c in selectors.chains(r.application) if r in c), [r])
    return render(
        request,
        "intake/referral.html",
        {
            "r": r,
            "legs": legs,
            "result": selectors.result_view(r),
            "actions": handling.allowed_actions(r, request.user),
            "units": Unit.objects.exclude(pk=r.unit_id).order_by("kind", "sort_order"),
            "periods": AmountPeriod.choices,
            "events": r.application.events.filter(referral__chain_root_id=r.chain_root_id).select_related(
                "unit"
            ),
            "applicant": selectors.masked_applicant(r.application, role_of(request.user)),
            "next_month": (clock.today().replace(day=1) + timedelta(days=32)).replace(day=1),
            **_grant_context(r),
        },
    )


def _grant_context(r: Referral) -> dict:
    """Grant control on the referral page: the rule's amount as the default, a held grant."""
    side = entitlements()
    out: dict[str, Any] = {"held": side.pending_grant(r), "rule": None, "officer_limit": None}
    if r.is_open:
        policy, today = current_policy(), clock.today()
        out["rule"] = side.rule_amount(
            household=r.application.household,
            service_code=r.service_code,
            on=today,
            policy=policy,
        )
        out["officer_limit"] = officer_limit(
            policy, service_code=r.service_code, category=r.category, on=today
        )
    return out


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except ValueError:
        return None


@acts
def referral_act(request, ref_id: int, action: str):
    p, user, v = request.POST, request.user, _int(request.POST.get("version"))
    if action == "accept":
        handling.referral_accept(actor=user, referral=ref_id, version=v, note=p.get("note", ""))
        done = "已签收"
    elif action == "request_supplement":
        handling.referral_request_supplement(
            actor=user, referral=ref_id, missing=p.get("missing", ""), version=v
        )
        done = "已要求补正，计时暂停"
    elif action == "receive_supplement":
        handling.referral_receive_supplement(actor=user, referral=ref_id, note=p.get("note", ""), version=v)
        done = "补正材料已送达，计时恢复"
    elif action == "transfer":
        nxt = handling.referral_transfer(
            actor=user, referral=ref_id, to_unit=p.get("to_unit", ""), reason=p.get("reason", ""), version=v
        )
        done = f"已转办至{nxt.unit.name}"
    elif action == "grant":
        r = handling.referral_grant(
            actor=user,
            referral=ref_id,
            amount=p.get("amount", "") or None,
            period=p.get("period") or None,
            start_month=_month(p.get("start_month")),
            note=p.get("note", ""),
            version=v,
            up_to_top_tier=p.get("up_to_top_tier") == "1",
        )
        held = getattr(r, "held_grant", None)
        done = (
            f"给付 {held.amount:.2f} 元已提请{held.get_level_display()}签批，签批后方可发放"
            if held is not None
            else "已反馈：给予救助"
        )
    elif action == "refuse":
        handling.referral_refuse(
            actor=user,
            referral=ref_id,
            reasons=p.get("reasons", ""),
            basis=p.get("basis", ""),
            alternatives=p.get("alternatives", ""),
            version=v,
        )
        done = "已反馈：不予救助"
    elif action == "charity":
        handling.referral_charity(
            actor=user,
            referral=ref_id,
            charity_name=p.get("charity_name", ""),
            note=p.get("note", ""),
            version=v,
        )
        done = "已转介慈善力量"
    else:
        raise NotFound("未知操作")
    messages.success(request, done)
    return redirect(back_url(request, "intake:inbox"))


def _month(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return results.parse_month(raw[:7])
    except ValidationFailed:
        raise ValidationFailed("起始月份格式应为 YYYY-MM", field="start_month") from None


# --- public ---------------------------------------------------------------------------------


def track(request):
    """Public: tracking code + last 4 characters of the applicant's ID number."""
    ctx, status = {}, 200
    if request.method == "POST":
        ctx["code"] = request.POST.get("code", "")
        try:
            app = services.track_lookup(
                ip=client_ip(request),
                code=ctx["code"],
                id_tail=request.POST.get("id_tail", ""),
            )
            ctx["result"] = app
            ctx["display_code"] = tracking.display(app["tracking_code"])
        except JiuzhuError as exc:
            ctx["error"], status = exc.message, exc.status
    template = "intake/track_throttled.html" if status == 429 else "intake/track.html"
    response = render(request, template, ctx, status=status)
    if status == 429:
        response["Retry-After"] = str(services.track_limits()[1])
    return response


def _month_arg(request) -> date:
    raw = request.GET.get("month")
    if raw:
        return results.parse_month(raw)
    return clock.today().replace(day=1)


def published(request):
    try:
        month = _month_arg(request)
    except ValidationFailed as exc:
        return render(request, "intake/error.html", {"error": exc}, status=400)
    rows = selectors.published_results(month)
    totals = {k: sum(r[k] for r in rows) for k, _ in selectors.RESULT_COLUMNS}
    return render(
        request,
        "intake/results.html",
        {
            "month": month,
            "rows": rows,
            "columns": selectors.RESULT_COLUMNS,
            "totals": totals,
            "city": current_policy().city.name,
        },
    )


def published_xlsx(request):
    try:
        month = _month_arg(request)
    except ValidationFailed as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    data = results.results_xlsx(month, city=current_policy().city.name)
    return download(data, f"办理结果公开-{month:%Y-%m}.xlsx")
