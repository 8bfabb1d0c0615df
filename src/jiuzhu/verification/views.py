"""Verification screens: the centre's desk (requests, reviews, alerts, sources), a data-source
unit's desk (upload, validation report, tasks), a request, a report (detail or summary by
role, every view logged). Views parse the form, call one service or selector and redirect;
a broken rule comes back as the service's Chinese message."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.views import post_action
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.selectors import get_household

from . import access, background, selectors, services
from .models import DatasetUpload, Match, SourceTask, VerificationRequest
from .sources import catalogue


def _error(request, exc: JiuzhuError):
    return render(request, "verification/error.html", {"error": exc}, status=exc.status)


acts = post_action("verification:home")


def _get(model, pk, what):
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{what}不存在")
    return obj


@login_required
def home(request):
    role = role_of(request.user)
    ctx: dict[str, object] = {
        "role": role,
        "services": [s for s in current_policy().services if s.needs_verification],
    }
    if role == m.VERIFICATION_OFFICER:
        ctx.update(
            requests=selectors.requests_list(user=request.user, limit=50),
            reviews=selectors.review_queue(user=request.user),
            alerts=selectors.alerts()[:50],
            overview=selectors.datasets_overview(),
            tasks=selectors.task_inbox(),
        )
    elif role == m.DATA_PROVIDER:
        code = access.unit_code(request.user)
        ctx.update(
            my_sources=catalogue().of_unit(code),
            tasks=selectors.task_inbox(unit=request.user.unit),
            uploads=DatasetUpload.objects.filter(source__in=[s.code for s in catalogue().of_unit(code)])[:20],
        )
    else:
        ctx.update(requests=selectors.requests_list(user=request.user, limit=50))
    return render(request, "verification/home.html", ctx)


@acts
def request_new(request):
    req = services.request_create(
        actor=request.user,
        household=get_household(request.POST.get("household", "").strip()),
        service_code=request.POST.get("service", ""),
        purpose=request.POST.get("purpose", ""),
        channel=request.POST.get("channel", VerificationRequest.INTAKE),
        case_ref=request.POST.get("case_ref", ""),
        fresh=bool(request.POST.get("fresh")),
    )
    if req.state == VerificationRequest.SERVED:
        messages.success(request, "已有有效核对报告，已按核对服务提供（未重新查询）")
    return redirect("verification:request", req.pk)


@login_required
def request_detail(request, pk: int):
    try:
        req = _get(VerificationRequest, pk, "核对请求")
        officer = scope.allows(request.user, "verification.review")
        if not access.may_open_request(request.user, req):
            raise NotFound("核对请求不存在")
    except JiuzhuError as exc:
        return _error(request, exc)
    role = role_of(request.user)
    matches = (
        req.matches.select_related("person", "record").order_by("state", "-probability") if officer else []
    )
    return render(
        request,
        "verification/request.html",
        {
            "req": req,
            "officer": officer,
            "tasks": req.tasks.select_related("unit"),
            "matches": matches,
            "role": role,
            "report": getattr(req, "report", None) if req.state in (req.ISSUED, req.SERVED) else None,
        },
    )


@acts
def review(request, match_id: int):
    mt = _get(Match, match_id, "匹配")
    services.review_decide(
        actor=request.user,
        match=mt,
        accept=request.POST.get("accept") == "1",
        reason=request.POST.get("reason", ""),
    )
    return redirect(request.POST.get("next") or "verification:home")


@acts
def issue(request, pk: int):
    report = services.report_issue(actor=request.user, request=_get(VerificationRequest, pk, "核对请求"))
    return redirect("verification:report", report.pk)


@acts
def mark_recipient(request, report_id: int):
    from .models import VerificationReport

    services.recipient_mark(
        actor=request.user,
        report=_get(VerificationReport, report_id, "核对报告"),
        active=request.POST.get("active", "1") == "1",
    )
    messages.success(request, "已登记在保情况，将纳入定期复核")
    return redirect("verification:report", report_id)


@login_required
def report(request, report_id: int):
    try:
        view = selectors.report_read(
            user=request.user, report_id=report_id, purpose=request.GET.get("purpose", "")
        )
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(
        request,
        "verification/report.html",
        {"v": view, "s": view.content, "role": role_of(request.user)},
    )


@login_required
def report_export(request, report_id: int):
    try:
        view = selectors.report_read(
            user=request.user, report_id=report_id, purpose=request.GET.get("purpose", ""), action="export"
        )
    except JiuzhuError as exc:
        return _error(request, exc)
    return download(selectors.report_csv(view), f"核对报告-{report_id}.csv")


# --- data-source units -------------------------------------------------------------------------


@acts
def upload(request):
    f = request.FILES.get("file")
    if f is None:
        raise ValidationFailed("请选择文件", field="file")
    try:
        as_of = date.fromisoformat(request.POST.get("as_of", ""))
    except ValueError:
        raise ValidationFailed("数据日期格式应为 YYYY-MM-DD", field="as_of") from None
    job = background.queue(f, actor=request.user, source=request.POST.get("source", ""), as_of=as_of)
    return redirect("common:job", job.pk)  # validated by the worker; the job links to the report


@login_required
def upload_report(request, upload_id: int):
    try:
        up = _get(DatasetUpload, upload_id, "上传")
        access.ensure_provider(request.user, catalogue().get(up.source))
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(request, "verification/upload.html", {"up": up, "source": catalogue().get(up.source)})


@acts
def upload_apply(request, upload_id: int):
    job = background.apply_queue(
        actor=request.user, upload=_get(DatasetUpload, upload_id, "上传"), mode=request.POST.get("mode", "")
    )
    return redirect("common:job", job.pk)  # loaded by the worker; the job links back to the upload


@login_required
def task(request, task_id: int):
    """The query a data-source unit answers: the members to look up. The numbers are shown in
    full here — the unit needs them to query its own system — and the view is logged."""
    try:
        t = _get(SourceTask, task_id, "任务")
        src = catalogue().get(t.source)
        access.ensure_provider(request.user, src)
    except JiuzhuError as exc:
        return _error(request, exc)
    hh = t.request.household
    log_access(
        user=request.user,
        action="view",
        object_type="verification_task",
        object_id=t.pk,
        household_code=hh.code,
        purpose="数据来源单位反馈核对任务",
    )
    return render(
        request,
        "verification/task.html",
        {
            "t": t,
            "src": src,
            "members": hh.members.order_by("id"),
            "flag": selectors.task_flag(t, clock.today()),
        },
    )


@acts
def task_answer(request, task_id: int):
    t = _get(SourceTask, task_id, "任务")
    f = request.FILES.get("file")
    no_records = request.POST.get("no_records") == "1"
    if not no_records and f is None:
        raise ValidationFailed("请上传反馈记录文件，或选择“查无记录”", field="file")
    services.task_answer(
        actor=request.user,
        task=t,
        no_records=no_records,
        data=None if no_records else f.read(),
        filename=f.name if f else "answer.csv",
        note=request.POST.get("note", ""),
    )
    messages.success(request, "已反馈")
    return redirect("verification:home")
