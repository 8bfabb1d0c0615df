"""Screens of the disaster app: events (declare, report), village lists (upload → report with
every bad row → apply), the month's transitional aid settled, a household resettled. Thin:
each view calls one service or selector."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import NotFound
from jiuzhu.common.exports import download
from jiuzhu.common.views import guarded, post_action
from jiuzhu.registry.models import Unit

from . import selectors, services, villagelists
from .models import DisasterEvent, TransitionalAid, VillageList

PAGE_ERRORS = 500


_guard = guarded(
    missing=(DisasterEvent.DoesNotExist, VillageList.DoesNotExist, TransitionalAid.DoesNotExist),
    not_found="没有该记录",
)


@_guard
def home(request):
    events = list(selectors.events_for(request.user)[:100])
    ctx = {
        "events": events,
        "can_declare": scope.allows(request.user, "disaster.declare"),
        "towns": Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code"),
        "kinds": DisasterEvent.Kind.choices,
        "levels": DisasterEvent.Level.choices,
        "today": clock.today(),
    }
    return render(request, "disaster/home.html", ctx)


@post_action("disaster:home")
def declare(request):
    event = services.event_declare(
        actor=request.user,
        name=request.POST.get("name", ""),
        kind=request.POST.get("kind", ""),
        occurred_on=request.POST.get("occurred_on", ""),
        level=request.POST.get("level", ""),
        towns=[int(t) for t in request.POST.getlist("towns") if t.isdigit()],
        fund=request.POST.get("fund", ""),
        areas=request.POST.get("areas", ""),
    )
    messages.success(request, f"已登记灾害事件：{event.name}")
    return redirect("disaster:event", event.pk)


@_guard
def event(request, pk: int):
    e = selectors.event_get(actor=request.user, pk=pk)
    may = {"unit": e.unit}
    ctx = {
        "e": e,
        "report": selectors.event_report(actor=request.user, event=e),
        "households": selectors.affected_rows(actor=request.user, event=e),
        "lists": list(
            e.lists.select_related("uploaded_by").only(
                "pk", "filename", "state", "row_count", "uploaded_at", "uploaded_by__display_name", "result"
            )
        ),
        "can_register": scope.allows(request.user, "disaster.register", **may),
        "can_settle": scope.allows(request.user, "disaster.settle", **may),
    }
    return render(request, "disaster/event.html", ctx)


@post_action("disaster:home")
def upload(request, pk: int):
    e = selectors.event_get(actor=request.user, pk=pk)
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的受灾家庭名单")
        return redirect("disaster:event", pk)
    from . import background

    job = background.queue(f, actor=request.user, event=e)
    return redirect("common:job", job.pk)  # checked by the worker; the job links to the report


@_guard
def village_list(request, pk: int):
    v = selectors.list_get(actor=request.user, pk=pk)
    ctx = {
        "v": v,
        "errors": v.errors[:PAGE_ERRORS],
        "more_errors": max(0, len(v.errors) - PAGE_ERRORS),
        "error_rows": len({e["row"] for e in v.errors}),
        "good": len(v.rows),
        "can_apply": v.state == VillageList.State.VALIDATED
        and bool(v.rows)
        and scope.allows(request.user, "disaster.register", unit=v.event.unit),
    }
    return render(request, "disaster/list.html", ctx)


@post_action("disaster:home")
def apply(request, pk: int):
    v = selectors.list_get(actor=request.user, pk=pk)
    result = villagelists.list_apply(actor=request.user, vlist=v)
    messages.success(
        request,
        f"已导入受灾家庭 {result['households']} 户（其中新建家庭 {result['new_households']} 户），"
        f"受灾人口 {result['persons']} 人，需过渡安置 {result['displaced']} 人",
    )
    return redirect("disaster:event", v.event_id)


@post_action("disaster:home")
def settle(request, pk: int):
    e = selectors.event_get(actor=request.user, pk=pk)
    result = services.days_settle(actor=request.user, event=e, month=request.POST.get("month", ""))
    messages.success(
        request, f"已核发 {result['households']} 户，金额 {result['amount']} 元，随当月发放名册发放"
    )
    return redirect("disaster:event", pk)


@post_action("disaster:home")
def resettle(request, pk: int):
    aid = TransitionalAid.objects.select_related("affected").filter(pk=pk).first()
    if aid is None:
        raise NotFound("没有该户的过渡期生活救助", field="aid")
    services.aid_resettle(
        actor=request.user, aid=aid, on=request.POST.get("on", ""), reason=request.POST.get("reason", "")
    )
    messages.success(request, "已登记安置，过渡期生活救助至安置日止")
    return redirect("disaster:event", aid.affected.event_id)


@require_GET
@_guard
def template_file(request):
    scope.require(request.user, "disaster.read")
    return download(villagelists.template(), "受灾家庭名单模板.xlsx")
