"""Charity screens: the desk (open needs matched to offers, referrals, partners), the partner's
own desk (its referrals, the anonymised needs of its area), a referral, the referral form, a
partner's ledger page (donations, receipts, stock, volunteers), and the public transparency
page (no log-in). Views parse the form, call one service and redirect; a rule broken comes
back as the service's Chinese message."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render

from jiuzhu.common import clock, money, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.views import back_url, post_action
from jiuzhu.registry.selectors import get_household

from . import charts, documents, exports, matching, referrals, selectors, services
from .models import (
    NEED_LABELS,
    Donation,
    Offer,
    OfferKind,
    OfferSubkind,
    Partner,
    PartnerKind,
    PartnerUser,
    ReferralSource,
    VolunteerKind,
)

acts = post_action("charity:home")


def _error(request, exc: JiuzhuError):
    return render(request, "charity/error.html", {"error": exc}, status=exc.status)


def _date(raw, field: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"日期“{raw}”格式应为 YYYY-MM-DD", field=field, code="invalid_date") from None


def _month(raw, field: str) -> date | None:
    """A month typed as YYYY-MM (the form's month input), or a full date."""
    raw = (raw or "").strip()
    if len(raw) == 7:
        raw += "-01"
    return _date(raw, field)


def _partner(code: str) -> Partner:
    p = Partner.objects.filter(code=code).first()
    if p is None:
        raise NotFound("合作方不存在", field="partner", code="not_found")
    return p


def _ensure_reader(user) -> Partner | None:
    """The partner of a partner log-in, None for the desk; others are refused."""
    own = services.partner_of(user)
    if own is not None:
        return own
    scope.require(user, "charity.read")
    return None


# --- desks ----------------------------------------------------------------------------------


@login_required
def home(request):
    try:
        own = _ensure_reader(request.user)
    except PermissionDenied as exc:
        return _error(request, exc)
    today = clock.today()
    from jiuzhu.intake.selectors import notifications_for

    if own is not None:
        return render(
            request,
            "charity/partner_home.html",
            {
                "partner": own,
                "referrals": selectors.referrals_for(request.user),
                "needs": matching.needs_for_partner(own, today=today),
                "today": today,
            },
        )
    town = request.user.unit.code if request.user.unit and request.user.unit.kind == "town" else None
    scope = request.GET.get("scope", "town" if town else "all")
    return render(
        request,
        "charity/desk.html",
        {
            "needs": matching.open_needs(town=town if scope == "town" else None, today=today),
            "town": request.user.unit if town else None,
            "scope": scope,
            "referrals": selectors.referrals_for(request.user, limit=100),
            "partners": selectors.partner_stats(),
            "notices": [
                n
                for n in notifications_for(request.user, limit=50)
                if n.key.startswith("charity")  # every charity notice's key starts so
            ],
            "today": today,
        },
    )


@acts
def claim(request):
    offer = None
    if request.POST.get("offer"):
        offer = Offer.objects.filter(pk=request.POST["offer"]).first()
    services.need_claim(actor=request.user, need_key=request.POST.get("need", ""), offer=offer)
    if request.headers.get("HX-Request"):
        return HttpResponse('<span class="badge">已认领，待经办人员转介</span>')
    messages.success(request, "已认领，镇街经办人员将征得家庭同意后转介")
    return redirect(back_url(request, "charity:home"))


# --- referral form --------------------------------------------------------------------------


def _refer_context(request, household, need: str) -> dict:
    offers = []
    for o in selectors.offers_for().order_by("partner__code", "code"):
        fits = need in o.needs and o.serves(household.town.code)
        if need and not fits:
            continue
        offers.append(o)
    probe = matching.OpenNeed(
        key="probe",
        source_kind="other",
        source_id="",
        need=need or "living",
        household=household,
        raised_on=clock.today(),
    )
    matched = {x.offer.pk: x.reasons for x in matching._with_matches([probe])[0].matches} if need else {}
    return {
        "household": household,
        "members": list(household.members.filter(deceased_on__isnull=True).order_by("id")),
        "need": need,
        "needs": list(NEED_LABELS.items()),
        "offers": [(o, matched.get(o.pk)) for o in offers],
        "sources": ReferralSource.choices,
        "src": {
            k: request.GET.get(k, request.POST.get(k, ""))
            for k in ("source_kind", "source_id", "intake_referral")
        },
        "post": request.POST if request.method == "POST" else None,
        "today": clock.today(),
    }


@login_required
def refer(request, household_code: str):
    try:
        household = get_household(household_code)
        scope.require(request.user, "charity.refer", household=household)
    except JiuzhuError as exc:
        return _error(request, exc)
    need = request.POST.get("need") or request.GET.get("need", "")
    if request.method == "POST":
        try:
            offer = Offer.objects.filter(pk=request.POST.get("offer") or 0).first()
            if offer is None:
                raise ValidationFailed("请选择帮扶资源", field="offer", code="required")
            common = dict(
                actor=request.user,
                offer=offer,
                consent_by=request.POST.get("consent_by", ""),
                consent_on=_date(request.POST.get("consent_on"), "consent_on"),
                amount=request.POST.get("amount") or None,
                quantity=request.POST.get("quantity") or None,
                cost_amount=request.POST.get("cost_amount") or None,
                cover_from=_month(request.POST.get("cover_from"), "cover_from"),
                cover_to=_month(request.POST.get("cover_to"), "cover_to"),
            )
            if request.POST.get("intake_referral"):
                r = referrals.refer_from_intake(
                    intake_referral=int(request.POST["intake_referral"]),
                    note=request.POST.get("description", ""),
                    **common,
                )
            else:
                person = household.members.filter(pk=request.POST.get("person") or 0).first()
                r = referrals.refer(
                    household=household,
                    need=need,
                    person=person,
                    source_kind=request.POST.get("source_kind") or "other",
                    source_id=request.POST.get("source_id", ""),
                    description=request.POST.get("description", ""),
                    **common,
                )
        except JiuzhuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已转介{r.partner.name}，接收期限 {r.answer_due_on:%Y-%m-%d}")
            return redirect("charity:referral", ref_id=r.pk)
    ctx = _refer_context(request, household, need)
    if request.headers.get("HX-Request") and request.method == "GET":
        return render(request, "charity/_offers.html", ctx)
    return render(request, "charity/refer.html", ctx)


# --- one referral ---------------------------------------------------------------------------


@login_required
def referral(request, ref_id: int):
    try:
        with transaction.atomic():
            r = referrals.get_for(request.user, ref_id)
            log_access(
                user=request.user,
                action="view",
                object_type="charity.referral",
                object_id=r.pk,
                household_code=r.household.code,
                purpose="社会力量转介办理",
            )
    except JiuzhuError as exc:
        return _error(request, exc)
    role = role_of(request.user)
    recipient = None
    if role != m.PARTNER:
        recipient = {
            "name": m.present("name", r.person.name, role),
            "household": r.household.code,
            "phone": m.present("phone", r.household.phone, role),
        }
    return render(
        request,
        "charity/referral.html",
        {
            "r": r,
            "recipient": recipient,
            "consent_by": m.present("name", r.consent_by, role),
            "actions": referrals.allowed_actions(r, request.user),
            "is_partner": role == m.PARTNER,
            "today": clock.today(),
        },
    )


@acts
def referral_act(request, ref_id: int, action: str):
    version = int(request.POST["version"]) if request.POST.get("version") else None
    if action == "accept":
        r = referrals.accept(actor=request.user, referral=ref_id, version=version)
        messages.success(request, f"已接收，请于 {r.due_on:%Y-%m-%d} 前帮扶并反馈")
    elif action == "decline":
        referrals.decline(
            actor=request.user, referral=ref_id, reason=request.POST.get("reason", ""), version=version
        )
        messages.success(request, "已反馈不予承接")
    elif action == "deliver":
        referrals.deliver(
            actor=request.user,
            referral=ref_id,
            result=request.POST.get("result", ""),
            amount=request.POST.get("amount") or None,
            quantity=request.POST.get("quantity") or None,
            version=version,
        )
        messages.success(request, "已反馈帮扶结果，转介单位和受理窗口已收到")
    else:
        raise NotFound("未知操作", field="action")
    return redirect("charity:referral", ref_id=ref_id)


# --- a partner's ledger ---------------------------------------------------------------------


def _partner_for(request, code: str) -> Partner:
    p = _partner(code)
    own = _ensure_reader(request.user)
    if own is not None and own.pk != p.pk:
        raise PermissionDenied("您只能查看本机构的台账", code="not_your_partner")
    return p


@login_required
def partner(request, code: str):
    try:
        p = _partner_for(request, code)
    except JiuzhuError as exc:
        return _error(request, exc)
    role = role_of(request.user)
    donations = list(p.donations.select_related("fund", "stock_item").order_by("-received_on", "-id")[:100])
    return render(
        request,
        "charity/partner.html",
        {
            "p": p,
            "can_write": role == m.PARTNER or scope.allows(request.user, "charity.desk"),
            "offers": p.offers.select_related("fund", "stock_item"),
            "ledger": selectors.ledger_check(p),
            "funds": list(p.funds.all()),
            "stock": list(p.stock.all()),
            "donations": donations,
            "volunteers": selectors.volunteer_summary(partner=p),
            "volunteer_kinds": VolunteerKind.choices,
            "today": clock.today(),
        },
    )


@acts
def donation_add(request, code: str):
    p = _partner(code)
    kind = request.POST.get("kind")
    d = services.donation_receive(
        actor=request.user,
        partner=p,
        kind=kind,
        donor_name=request.POST.get("donor_name", ""),
        anonymous=bool(request.POST.get("anonymous")),
        amount=request.POST.get("amount") or None,
        fund=p.funds.filter(pk=request.POST.get("fund") or 0).first(),
        stock_item=p.stock.filter(pk=request.POST.get("stock_item") or 0).first(),
        quantity=request.POST.get("quantity") or None,
        value=request.POST.get("value") or None,
        purpose=request.POST.get("purpose", ""),
        received_on=_date(request.POST.get("received_on"), "received_on"),
    )
    messages.success(request, f"已登记捐赠，收据编号 {d.receipt_no}")
    return redirect("charity:partner", code=code)


@acts
def issue_add(request, code: str):
    p = _partner(code)
    item = p.stock.filter(pk=request.POST.get("stock_item") or 0).first()
    if item is None:
        raise ValidationFailed("请选择物资", field="stock_item", code="required")
    services.stock_issue(
        actor=request.user,
        item=item,
        quantity=request.POST.get("quantity"),
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已登记出库")
    return redirect("charity:partner", code=code)


@acts
def volunteer_add(request, code: str):
    p = _partner(code)
    services.volunteer_log(
        actor=request.user,
        partner=p,
        team=request.POST.get("team", ""),
        volunteer=request.POST.get("volunteer", ""),
        served_on=_date(request.POST.get("served_on"), "served_on"),
        hours=request.POST.get("hours"),
        kind=request.POST.get("kind", ""),
        town=request.POST.get("town", ""),
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已登记志愿服务")
    return redirect("charity:partner", code=code)


def _donation(request, donation_id: int) -> Donation:
    d = Donation.objects.select_related("partner", "fund", "stock_item").filter(pk=donation_id).first()
    if d is None:
        raise NotFound("捐赠记录不存在", field="donation")
    _partner_for(request, d.partner.code)
    return d


@login_required
def donation(request, donation_id: int):
    try:
        d = _donation(request, donation_id)
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(
        request,
        "charity/donation.html",
        {"d": d, "trail": selectors.donation_trail(d, role_of(request.user))},
    )


@login_required
def receipt(request, donation_id: int):
    try:
        d = _donation(request, donation_id)
    except JiuzhuError as exc:
        return _error(request, exc)
    return download(documents.receipt_pdf(d), f"捐赠收据-{d.receipt_no}.pdf", inline=True)


@login_required
def ledger_xlsx(request, code: str):
    try:
        p = _partner_for(request, code)
    except JiuzhuError as exc:
        return _error(request, exc)
    return download(exports.ledger_xlsx(p, role=role_of(request.user)), f"{p.name}台账.xlsx")


@login_required
def volunteers(request):
    try:
        own = _ensure_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    summary = selectors.volunteer_summary(partner=own)
    return render(request, "charity/volunteers.html", {"s": summary, "partner": own})


# --- partner register (approver, admin) -----------------------------------------------------


def _ensure_manager(user) -> None:
    scope.require(user, "charity.manage")


@login_required
def manage(request):
    try:
        _ensure_manager(request.user)
    except PermissionDenied as exc:
        return _error(request, exc)
    from jiuzhu.registry.models import Unit, User

    linked = PartnerUser.objects.values_list("user_id", flat=True)
    return render(
        request,
        "charity/manage.html",
        {
            "partners": Partner.objects.prefetch_related("funds", "stock", "offers", "users__user"),
            "kinds": PartnerKind.choices,
            "offer_kinds": OfferKind.choices,
            "subkinds": OfferSubkind.choices,
            "needs": list(NEED_LABELS.items()),
            "towns": Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code"),
            "free_users": User.objects.filter(role=m.PARTNER).exclude(pk__in=linked).order_by("username"),
        },
    )


def _int(post, key: str, default: int | None) -> int | None:
    raw = (post.get(key) or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValidationFailed(f"“{raw}”不是有效的整数", field=key, code="invalid_number")
    return int(raw)


@acts
def manage_act(request, what: str):
    _ensure_manager(request.user)
    post = request.POST
    if what == "partner":
        p = services.partner_save(
            actor=request.user,
            code=post.get("code", ""),
            name=post.get("name", ""),
            kind=post.get("kind", ""),
            towns=post.getlist("towns"),
            contact_name=post.get("contact_name", ""),
            contact_phone=post.get("contact_phone", ""),
            description=post.get("description", ""),
        )
        messages.success(request, f"已登记合作方：{p.name}")
        return redirect("charity:manage")
    p = _partner(post.get("partner", ""))
    code, name = post.get("code", "").strip(), post.get("name", "").strip()
    if what in ("fund", "stock", "offer") and (not code or not name):
        raise ValidationFailed("请填写代码和名称", field="code", code="required")
    if what == "fund":
        services.fund_create(
            partner=p, code=code, name=name, purpose=post.get("purpose", ""), needs=post.getlist("needs")
        )
    elif what == "stock":
        services.stock_item_create(partner=p, code=code, name=name, unit=post.get("unit") or "件")
    elif what == "offer":

        def num(key):
            return post.get(key) or None

        services.offer_save(
            partner=p,
            code=code,
            name=name,
            kind=post.get("kind", ""),
            subkind=post.get("subkind", ""),
            needs=post.getlist("needs"),
            towns=post.getlist("towns"),
            who=post.get("who", ""),
            capacity=_int(post, "capacity", None),
            fund=p.funds.filter(code=post.get("fund")).first() if post.get("fund") else None,
            stock_item=p.stock.filter(code=post.get("stock_item")).first()
            if post.get("stock_item")
            else None,
            max_amount=money.amount(num("max_amount"), field="max_amount", label="金额上限", allow_none=True),
            max_quantity=money.amount(
                num("max_quantity"), field="max_quantity", label="数量上限", allow_none=True
            ),
            period_days=_int(post, "period_days", 365),
            limit_days=_int(post, "limit_days", 10),
            description=post.get("description", ""),
        )
    elif what == "user":
        from jiuzhu.registry.models import User

        user = User.objects.filter(pk=post.get("user") or 0).first()
        if user is None:
            raise ValidationFailed("请选择账号", field="user", code="required")
        services.partner_user_link(user=user, partner=p)
    else:
        raise NotFound("未知操作", field="what")
    messages.success(request, f"已保存（{p.name}）")
    return redirect("charity:manage")


# --- public ---------------------------------------------------------------------------------


def public(request, code: str):
    p = Partner.objects.filter(code=code, active=True).first()
    if p is None:
        return render(request, "charity/error.html", {"error": NotFound("合作方不存在")}, status=404)
    t = selectors.transparency(p)
    return render(request, "charity/public.html", {"t": t, "chart": charts.funds_svg(t["funds"])})


def public_index(request):
    return render(request, "charity/public_index.html", {"partners": Partner.objects.filter(active=True)})
