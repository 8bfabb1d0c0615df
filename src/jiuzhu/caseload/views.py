"""Screens: the caseload import (template download, upload, the report with every error,
possible duplicates to decide, approval by a second person, progress of the apply) and the
change requests (raise, effects before applying, approve or send back)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jiuzhu.common import scope, uploads, values
from jiuzhu.common.errors import JiuzhuError, NotFound, PermissionDenied
from jiuzhu.common.exports import download
from jiuzhu.common.views import guarded, post_action
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person, Unit

from . import change_checks, changes, imports, selectors, sheets
from .models import ChangeRequest, ImportBatch

SYNC_MAX_BYTES = 5 * 1024 * 1024  # smaller files are checked at once; larger ones in the background
PAGE_ERRORS = 500


_guard = guarded


@_guard
def home(request):
    can_import = scope.allows(request.user, "caseload.read")
    can_change = scope.allows(request.user, "change.read")
    if not (can_import or can_change):
        raise PermissionDenied("您的角色不能打开此页面。", code="role_not_allowed")
    ctx = {
        "batches": list(selectors.batches(actor=request.user)[:50]) if can_import else [],
        "can_upload": scope.allows(request.user, "caseload.import"),
        "can_import": can_import,
        "pending": list(
            selectors.change_requests(actor=request.user, state=ChangeRequest.State.PENDING)[:100]
        )
        if can_change
        else [],
        "recent": list(
            selectors.change_requests(actor=request.user).exclude(state=ChangeRequest.State.PENDING)[:30]
        )
        if can_change
        else [],
        "sheets": sheets.SHEETS,
    }
    return render(request, "caseload/home.html", ctx)


@require_GET
@_guard
def template_file(request, fmt: str):
    scope.require(request.user, "caseload.read")
    example = request.GET.get("example", "1") != "0"
    if fmt == "xlsx":
        return download(sheets.template_xlsx(values.today(), example=example), "存量数据导入模板.xlsx")
    return download(sheets.template_zip(values.today(), example=example), "存量数据导入模板-csv.zip")


@post_action("caseload:home")
def upload(request):
    scope.require(request.user, "caseload.import")
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的文件")
        return redirect("caseload:home")
    if f.size is not None and f.size <= SYNC_MAX_BYTES:
        batch = imports.batch_upload(actor=request.user, data=f.read(), filename=f.name or "upload")
        return redirect("caseload:batch", batch.pk)
    from jiuzhu.common import jobs

    from . import applying  # noqa: F401  (registers the job kinds)

    kept = uploads.keep(f, suffixes=(".xlsx", ".csv", ".zip"))
    job = jobs.enqueue("caseload.validate", actor=request.user, kept=kept, filename=f.name or "upload")
    return redirect("common:job", job.pk)


@_guard
def batch(request, pk: int):
    b = imports.get_batch(actor=request.user, batch_id=pk)
    ctx = {
        "b": b,
        "errors": b.errors[:PAGE_ERRORS],
        "more_errors": max(0, b.error_count - PAGE_ERRORS),
        "duplicates": list(b.duplicates.select_related("person__household")),
        "flagged": list(
            b.entitlements.filter(flagged=True).select_related("entitlement__household", "review")[:200]
        ),
        "can_decide": b.state == ImportBatch.State.VALIDATED
        and scope.allows(request.user, "caseload.import"),
        "can_approve": b.state == ImportBatch.State.VALIDATED
        and scope.allows(request.user, "caseload.approve")
        and b.uploaded_by_id != request.user.pk,
    }
    return render(request, "caseload/batch.html", ctx)


@post_action("caseload:home")
def decide(request, pk: int, dup: int):
    d = imports.get_batch(actor=request.user, batch_id=pk).duplicates.filter(pk=dup).first()
    if d is None:
        raise NotFound("没有这条疑似重复记录", field="duplicate")
    imports.duplicate_decide(actor=request.user, duplicate=d, decision=request.POST.get("decision", ""))
    return redirect("caseload:batch", pk)


@post_action("caseload:home")
def approve(request, pk: int):
    imports.get_batch(actor=request.user, batch_id=pk)
    b = imports.batch_approve(actor=request.user, batch=pk, note=request.POST.get("note", ""))
    messages.success(request, "已批准，正在后台导入")
    return redirect("common:job", int(b.job_id)) if b.job_id else redirect("caseload:batch", pk)


@post_action("caseload:home")
def reject(request, pk: int):
    imports.get_batch(actor=request.user, batch_id=pk)
    imports.batch_reject(actor=request.user, batch=pk, note=request.POST.get("note", ""))
    messages.success(request, "已退回")
    return redirect("caseload:batch", pk)


# --- change requests -------------------------------------------------------------------------

# what each kind asks of the form besides the common fields (member, channel, reason, document)
MEMBER_KINDS = frozenset(change_checks.PERSON_KINDS)
RELATIONS_NOT_HEAD = [(k, v) for k, v in Person.Relation.choices if k != Person.Relation.HEAD]


def _payload(kind: str, post) -> dict:
    """The request's payload from the form's fields for ``kind`` (checked by the service)."""
    g = post.get
    K = ChangeRequest
    if kind in (K.Kind.BIRTH, K.Kind.MOVE_IN):
        member = {
            k: g(f"m_{k}")
            for k in (
                "name",
                "id_number",
                "relation",
                "labour_capacity",
                "disability_kind",
                "disability_grade",
                "school_stage",
                "employment_status",
                "phone",
            )
            if g(f"m_{k}") not in (None, "")
        }
        return {"member": member}
    if kind == K.Kind.DEATH:
        return {"died_on": g("died_on")}
    if kind == K.Kind.MOVE_OUT:
        return {"to_household": g("to_household"), "relation": g("to_relation") or "other"}
    if kind == K.Kind.INCOME:
        return {
            "kind": g("income_kind"),
            "monthly_amount": g("monthly_amount"),
            "period_start": g("period_start"),
            "period_end": g("period_end"),
            "replaces": post.getlist("replaces"),
        }
    if kind == K.Kind.MEMBER_FACTS:
        fields = {
            k: g(k)
            for k in (
                "disability_kind",
                "disability_grade",
                "serious_illness",
                "labour_capacity",
                "self_care",
                "employment_status",
            )
            if g(k) not in (None, "")
        }
        return {"fields": fields}
    if kind == K.Kind.ASSET:
        if g("remove_asset"):
            return {"remove": g("remove_asset")}
        return {
            "kind": g("asset_kind"),
            "value": g("value"),
            "floor_area": g("floor_area"),
            "as_of": g("as_of"),
            "vehicle_purpose": g("vehicle_purpose"),
            "description": g("description"),
        }
    if kind == K.Kind.ADDRESS:
        return {k: g(k) for k in ("address", "community", "phone") if g(k)}
    if kind == K.Kind.BANK_ACCOUNT:
        return {"bank_name": g("bank_name"), "number": g("number"), "holder_name": g("holder_name")}
    if kind == K.Kind.MOVE_TOWN:
        return {"town": g("town"), "community": g("community"), "address": g("address")}
    if kind == K.Kind.SPLIT:
        members = {k[len("split_") :]: v for k, v in post.items() if k.startswith("split_") and v}
        return {"members": members, "address": g("address"), "community": g("community")}
    if kind == K.Kind.MERGE:
        return {"other": g("other"), "head_relation": g("head_relation") or "other"}
    return {}


@_guard
def change_new(request, code: str):
    """Step 1 chooses the kind of change (``?kind=``); step 2 is that kind's form, with the
    member concerned, how it was raised, the reason and a document."""
    hh = Household.objects.select_related("town").filter(code=code).first()
    if hh is None:
        raise NotFound("家庭不存在")
    scope.require(request.user, "change.raise", household=hh)
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    if kind not in ChangeRequest.Kind.values:
        kind = ""
    if request.method == "POST" and kind:
        person = Person.objects.filter(pk=request.POST.get("person") or 0, household=hh).first()
        try:
            c = changes.change_raise(
                actor=request.user,
                household=hh,
                kind=kind,
                person=person,
                payload=_payload(kind, request.POST),
                reason=request.POST.get("reason", ""),
                channel=request.POST.get("channel"),
                document=request.FILES.get("document"),
                document_title=request.POST.get("document_title") or "证明材料",
            )
        except JiuzhuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已提交变更申请 #{c.pk}，待另一名工作人员复核后生效")
            return redirect("caseload:change", c.pk)
    members = list(hh.members.filter(deceased_on__isnull=True).order_by("id"))
    ctx = {
        "hh": hh,
        "kind": kind,
        "kind_name": dict(ChangeRequest.Kind.choices).get(kind, ""),
        "needs_member": kind in MEMBER_KINDS,
        "members": members,
        "kinds": ChangeRequest.Kind.choices,
        "relations": RELATIONS_NOT_HEAD,
        "all_relations": Person.Relation.choices,
        "incomes": list(IncomeItem.objects.filter(person__household=hh).select_related("person"))
        if kind == ChangeRequest.Kind.INCOME
        else [],
        "income_kinds": IncomeItem.Kind.choices,
        "assets": list(hh.assets.all()) if kind == ChangeRequest.Kind.ASSET else [],
        "asset_kinds": Asset.Kind.choices,
        "vehicle_purposes": Asset.VehiclePurpose.choices,
        "towns": Unit.objects.filter(kind=Unit.Kind.TOWN).exclude(pk=hh.town_id),
        "disability_kinds": Person.DisabilityKind.choices,
        "labour": Person.LabourCapacity.choices,
        "self_care": Person.SelfCare.choices,
        "employment": Person.EmploymentStatus.choices,
        "post": request.POST,
    }
    return render(request, "caseload/change_new.html", ctx)


@_guard
def change(request, pk: int):
    c = selectors.change_request(actor=request.user, pk=pk)
    effects = changes.change_effects(actor=request.user, change=c)
    ctx = {
        "c": c,
        "effects": effects,
        "documents": list(c.documents.all()),
        "can_attach": c.state == ChangeRequest.State.PENDING
        and scope.allows(request.user, "change.raise", household=c.household),
        "can_review": c.state == ChangeRequest.State.PENDING
        and c.raised_by_id != request.user.pk
        and scope.allows(request.user, "change.review", household=c.household),
    }
    return render(request, "caseload/change.html", ctx)


@post_action("caseload:home")
def change_approve(request, pk: int):
    changes.change_approve(actor=request.user, change=pk, note=request.POST.get("note", ""))
    messages.success(request, "变更已生效")
    return redirect("caseload:change", pk)


@post_action("caseload:home")
def change_reject(request, pk: int):
    changes.change_reject(actor=request.user, change=pk, note=request.POST.get("note", ""))
    messages.success(request, "已退回")
    return redirect("caseload:change", pk)


@_guard
def change_document(request, pk: int, doc: int):
    from jiuzhu.intake.documents import open_stored

    d = selectors.change_document(actor=request.user, change_id=pk, doc_id=doc)
    return FileResponse(open_stored(d.path), content_type=d.content_type)


@post_action("caseload:home")
def change_document_add(request, pk: int):
    f = request.FILES.get("document")
    if f is None:
        messages.error(request, "请选择要上传的材料")
        return redirect("caseload:change", pk)
    changes.document_add(
        actor=request.user, change=pk, file=f, title=request.POST.get("document_title") or "证明材料"
    )
    messages.success(request, "已添加证明材料")
    return redirect("caseload:change", pk)
