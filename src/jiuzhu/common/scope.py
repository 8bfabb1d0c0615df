"""Who may do what on whose records — declared here once, as data (DOMAIN §8), beside the
masking table (``masking.py`` says *how much* of a record a role sees; this says *which*
records a role may act on at all).

``SCOPE[(role, action)]`` is one of

* ``city`` — every record of the city;
* ``town`` — the records of the actor's own town (the household's ``town`` is the actor's unit);
* ``unit`` — the households behind the actor's unit's referrals and entitlements (a
  department serves only the people referred to it or paid by it);
* ``none`` — refused (also every pair missing from the table).

Actions marked in ``HANDLING`` are narrower for ``town``/``unit`` scopes: the unit must be
*handling* the household now (an open application at its window, an open referral of the
unit, or an open decision case of its town), and the ``service`` asked for must be one it
handles for that household (verification is asked only for a service, never "to have a look").

``require(actor, action, *, town=, unit=, household=, service=)`` is the one check services and
selectors call; it raises ``RoleNotAllowed`` (code ``role_not_allowed``) or ``OutOfScope``
(code ``out_of_scope``). ``households_in_scope(actor, action, qs, path=)`` filters a queryset
with the same rule, so lists never show what a detail page would refuse. ``read(...)`` checks
and writes the access-log row of a personal-data read in one call.

Pure data at the top, Django only inside the functions (``common`` sits below every app; the
intake and decisions models are looked up by name, never imported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q

from jiuzhu.common import masking as m
from jiuzhu.common.errors import PermissionDenied
from jiuzhu.common.roles import role_of

if TYPE_CHECKING:  # the user model is registry's; common imports no app at run time
    from django.db.models import QuerySet

    from jiuzhu.registry.models import User


CITY, TOWN, UNIT, NONE = "city", "town", "unit", "none"
SCOPES = (CITY, TOWN, UNIT, NONE)
SCOPE_LABELS = {CITY: "全市", TOWN: "本镇街", UNIT: "本单位经办", NONE: "—"}

WC, TC, DO = m.WINDOW_CLERK, m.TOWN_CASEWORKER, m.DEPARTMENT_OFFICER
VO, DP, AP = m.VERIFICATION_OFFICER, m.DATA_PROVIDER, m.APPROVER
SU, CO, AD, PA = m.SUPERVISOR, m.CONVENER, m.ADMIN, m.PARTNER

_READERS = {WC: TOWN, TC: TOWN, DO: UNIT, VO: CITY, AP: CITY, SU: CITY, CO: CITY, AD: CITY}

# action -> (Chinese label, {role: scope}). Roles not listed: none.
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    # registry (家庭档案)
    "household.read": ("查看家庭档案", _READERS),
    # one window (一门受理): any window finds a person by the full ID number to take a
    # request; outside its scope the household is shown masked and the lookup is logged
    "household.lookup_id": ("按身份证号码查找", {**_READERS, WC: CITY, TC: CITY}),
    "household.write": ("修改家庭信息", {WC: TOWN, TC: TOWN, AD: CITY}),
    # a new household may be registered at any window (one window); it is then the window's
    # (its application) until the household's own town takes it up
    "household.register": ("登记新家庭", {WC: CITY, TC: TOWN, AD: CITY}),
    "document.read": ("查看申请材料", _READERS),
    "document.write": ("上传申请材料", {WC: TOWN, TC: TOWN, DO: UNIT, AD: CITY}),
    # emergency aid first (先行救助): paid at once by the receiving town's window, on the rule's
    # amount, the file completed afterwards (intake.services.emergency_grant)
    "emergency.grant": ("先行救助", {WC: TOWN, TC: TOWN}),
    # bank accounts (银行账户): the payee's own town or the paying unit; a change waits for a
    # second person's confirmation (payments.services)
    "bank_account.read": ("查看银行账户", {TC: TOWN, DO: UNIT, AP: CITY, SU: CITY, AD: CITY}),
    "bank_account.change": ("变更银行账户", {TC: TOWN, DO: UNIT, AP: CITY, AD: CITY}),
    "bank_account.confirm": ("复核银行账户变更", {TC: TOWN, DO: UNIT, AP: CITY, AD: CITY}),
    # payments (资金发放): rolls are prepared by civil affairs' payments officers (the
    # approver role) city-wide and by each paying department for its own services
    "payment.read": ("查看发放名册", {TC: TOWN, DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    "payment.prepare": ("生成或审核发放名册", {DO: UNIT, AP: CITY, AD: CITY}),
    "payment.approve": ("审批发放名册", {AP: CITY, AD: CITY}),
    "payment.export": ("导出银行发放文件", {AP: CITY, AD: CITY}),
    "payment.reconcile": ("导入银行回盘文件", {DO: UNIT, AP: CITY, AD: CITY}),
    "payment.fix_line": ("处理发放失败或登记追回", {TC: TOWN, DO: UNIT, AP: CITY, AD: CITY}),
    "payment.budget": ("编辑年度预算", {AP: CITY, AD: CITY}),
    # institution payees (收款机构, payments.institutions): registered and paid by the unit
    # that owns them; a transfer is approved by a second person and confirmed paid
    "institution.manage": ("登记收款机构", {DO: UNIT, AP: CITY, AD: CITY}),
    "institution.read": ("查看收款机构及拨付", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    "transfer.create": ("生成机构拨付", {DO: UNIT, AP: CITY, AD: CITY}),
    "transfer.approve": ("审批机构拨付", {DO: UNIT, AP: CITY, AD: CITY}),
    "transfer.reconcile": ("确认机构拨付到账", {DO: UNIT, AP: CITY, AD: CITY}),
    # intake (一门受理): a town window takes requests for its own town's window; a referral is
    # handled by the unit it was sent to; emergency aid is paid at once by the receiving
    # town's caseworker and its file completed at that window
    "application.take": ("受理申请", {WC: TOWN, TC: TOWN}),
    # an application is read by the window that took it and every unit holding one of its
    # referrals (intake.selectors.can_view); the city's judges and the verification centre all
    "application.read": (
        "查看申请",
        {WC: TOWN, TC: TOWN, DO: UNIT, VO: CITY, AP: CITY, SU: CITY, CO: CITY, AD: CITY},
    ),
    "referral.handle": ("办理分办事项", {DO: UNIT, TC: UNIT, AP: UNIT}),
    "emergency.complete": ("补齐先行救助手续", {WC: TOWN, TC: TOWN}),
    # decisions (审核确认): cases, reviews and their letters
    "case.read": ("查看审核确认案件", {TC: TOWN, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # the town's caseworker opens and investigates its cases, gives the opinion, runs the notice
    # and the periodic review; the approver decides (审批) and signs reviews; either extends a limit
    "case.work": ("办理审核确认案件", {TC: TOWN}),
    "case.approve": ("审批审核确认案件", {AP: CITY}),
    # verification (核对)
    "verification.request": ("申请核对", {WC: TOWN, TC: TOWN, DO: UNIT, VO: CITY, AP: CITY}),
    "verification.read_report": (
        "查阅核对报告",
        {WC: TOWN, TC: TOWN, DO: UNIT, VO: CITY, AP: CITY, SU: CITY},
    ),
    # the report's detail (every item and figure): the verification centre, and the handler
    # who asked for it at the requesting town or unit (the person rule: access.sees_detail)
    "verification.read_detail": ("查阅核对报告明细", {VO: CITY, WC: TOWN, TC: TOWN, DO: UNIT}),
    # the verification centre's own work: reviewing probable matches, issuing reports
    "verification.review": ("审核核对匹配并出具报告", {VO: CITY}),
    # a data-source unit's officers upload its datasets and answer its tasks; its own
    # administrator alone exports its data in bulk (bank data leave the bank only by the bank)
    "verification.provide": ("上传来源数据或答复核对任务", {DP: UNIT}),
    "verification.source_export": ("批量导出来源数据", {AD: UNIT}),
    "verification.read_record": ("查阅来源记录", {VO: CITY, DP: UNIT, AD: UNIT}),
    # supervision (联席会议与监督): the pages; every complaint, accountability record and the
    # misconduct list; the access and change logs; appointing conveners; a unit's own tasks
    "supervision.read": ("查看联席会议与监督页面", {r: CITY for r in (WC, TC, DO, VO, AP, SU, CO, AD)}),
    "supervision.oversight": ("查看全部投诉与问责记录", {SU: CITY, CO: CITY, AD: CITY}),
    "supervision.audit_logs": ("查阅访问与变更日志", {SU: CITY, AD: CITY}),
    # the conference's own decisions (召集人): a convener by role; a deputy appointed in the
    # officers list also acts (supervision.access.ensure_convener)
    "supervision.convene": ("办理联席会议召集事项", {CO: CITY}),
    "supervision.appoint": ("指定联席会议召集人", {AD: CITY}),
    "supervision.unit_task": ("办理本单位的督办事项", {r: UNIT for r in (WC, TC, DO, VO, DP, AP, CO, AD)}),
    # a city's existing caseload (存量导入): prepared city-wide or by a town for its own
    # households, approved by a second person city-wide
    "caseload.import": ("上传存量数据", {TC: TOWN, AP: CITY, AD: CITY}),
    "caseload.approve": ("审核存量数据导入", {AP: CITY, AD: CITY}),
    "caseload.read": ("查看存量数据导入", {TC: TOWN, AP: CITY, SU: CITY, AD: CITY}),
    # change requests for verified facts (变更申请): raised at the window or by the town,
    # applied by a second person (never the one who raised it, caseload.changes): a caseworker
    # of the household's town or the city's approver
    "change.raise": ("提出变更申请", {WC: TOWN, TC: TOWN, AD: CITY}),
    "change.review": ("复核变更申请", {TC: TOWN, AP: CITY, AD: CITY}),
    "change.read": ("查看变更申请", {WC: TOWN, TC: TOWN, AP: CITY, SU: CITY, AD: CITY}),
    # performance (绩效考核): KPIs, evaluation scores and the ranking, read city-wide by those
    # who judge the units (the leaders' dashboard, evaluations, the ranking)
    "performance.read": ("查看绩效考核", {AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # the snapshots are recomputed (a background job, one at a time) by the one who judges the
    # units with them, the conference's convener, and the admin; the approver reads the figures
    # but his own unit's work is what they measure; a supervisor changes nothing
    "performance.refresh": ("刷新绩效指标快照", {CO: CITY, AD: CITY}),
    # grant control (发放签批, decisions.grants): a grant above the rule's amount or the
    # officer's tier waits for a second person of the approving level
    "grant.read": ("查看待签批给付", {TC: UNIT, DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    "grant.sign": ("签批或退回给付", {AP: CITY}),
    # fraud (骗取, 社会救助暂行办法 第六十八条): the approver stops, recovers and fines
    "fraud.decide": ("作出骗取救助处理决定", {AP: CITY}),
    # lifecycle (DOMAIN §7): a department reviews its own entitlements when their review is due
    "entitlement.review": ("复核本单位的救助待遇", {DO: UNIT, AP: CITY}),
    # close relatives of staff (近亲属备案): each member of staff declares his own (and records
    # his own ID number); an admin declares for any member of staff
    "relative.declare": (
        "申报工作人员近亲属",
        {WC: UNIT, TC: UNIT, DO: UNIT, VO: UNIT, DP: UNIT, AP: UNIT, SU: UNIT, CO: UNIT, AD: CITY},
    ),
    # disaster relief (受灾人员救助, jiuzhu.disaster): the emergency-management unit declares its
    # events, registers the affected households from the village lists and settles the
    # transitional aid; the city's judges read the event report
    "disaster.declare": ("登记灾害事件", {DO: UNIT, AD: CITY}),
    "disaster.register": ("导入受灾家庭名单", {DO: UNIT, AD: CITY}),
    "disaster.settle": ("核发过渡期生活救助", {DO: UNIT, AD: CITY}),
    "disaster.read": ("查看灾害事件", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # medical assistance settlement (一站式结算, jiuzhu.medical): the medical-insurance bureau
    # imports the settlement files and pays the hospitals; the city's judges read them
    "medical.settle": ("导入医疗救助结算文件", {DO: UNIT, AD: CITY}),
    "medical.read": ("查看医疗救助结算", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # social forces (社会力量, jiuzhu.charity): the government-side desk records for partners
    # without their own log-in and sees the open needs; referrals to a partner are made for the
    # households of the town (or its window's) or of the unit's own referrals; partners and their
    # resources are registered by the approver or the admin. A partner's own log-in acts only
    # for its own organisation (charity.services.partner_of), within its areas.
    "charity.desk": ("办理社会力量事务", {WC: TOWN, TC: TOWN, AP: CITY, AD: CITY}),
    "charity.read": ("查看社会力量模块与台账", {WC: TOWN, TC: TOWN, AP: CITY, SU: CITY, AD: CITY}),
    "charity.refer": ("转介社会力量", {WC: TOWN, TC: TOWN, DO: UNIT, AP: CITY, AD: CITY}),
    "charity.referral_read": (
        "查看社会力量转介",
        {WC: TOWN, TC: TOWN, DO: UNIT, AP: CITY, SU: CITY, AD: CITY},
    ),
    "charity.manage": ("登记合作方与帮扶资源", {AP: CITY, AD: CITY}),
    "charity.claim": ("认领帮扶需求", {PA: CITY}),
    # staff accounts (工作人员账号): an administrator creates them, with the second factor
    # pre-enrolled (common.signin.staff_create)
    "staff.create": ("创建工作人员账号", {AD: CITY}),
    # screening (查重查漏, jiuzhu.screening): alerts are read and resolved by the unit that owns
    # them (a town's caseworker, a department's officer), city-wide by the approver and the
    # admin; the city's judges and the verification centre read all; a run is started by the
    # approver or the admin
    "screening.read": (
        "查看筛查预警",
        {TC: UNIT, DO: UNIT, VO: CITY, AP: CITY, SU: CITY, CO: CITY, AD: CITY},
    ),
    "screening.resolve": ("处理筛查预警", {TC: UNIT, DO: UNIT, AP: CITY, AD: CITY}),
    "screening.run": ("发起筛查", {AP: CITY, AD: CITY}),
    # a department's own lists (部门名单) for the cross-checks, uploaded and applied by its officers
    "screening.upload_list": ("上传部门名单", {DO: UNIT, AD: CITY}),
    # education assistance (教育救助, jiuzhu.education): the education bureau keeps its schools'
    # pupils, confirms each term's list and pays the grants; the city's judges read them
    "education.manage": ("登记在校学生及学期资助", {DO: UNIT, AD: CITY}),
    "education.read": ("查看教育救助", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # employment assistance (就业救助, jiuzhu.employment): the human-resources and social-security
    # unit registers the unemployed, records the offers and answers, issues the duty letter and
    # grants the subsidies; the city's judges read them
    "employment.manage": ("办理失业登记、岗位推荐与就业补贴", {DO: UNIT, AD: CITY}),
    "employment.read": ("查看就业救助", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # extreme-poverty support (特困人员供养, jiuzhu.tekun): civil affairs keeps the support
    # institutions' beds and residents, pays the centralised support to them and the funeral
    # benefit; the city's judges read them
    "tekun.manage": ("办理特困人员集中供养与丧葬补助", {DO: UNIT, AP: CITY, AD: CITY}),
    "tekun.read": ("查看特困人员供养机构", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # housing assistance (住房救助, jiuzhu.housing): the housing bureau keeps the public-rental
    # waiting list and allocations and the rural renovations; the city's judges read them
    "housing.manage": ("办理公租房轮候配租与危房改造", {DO: UNIT, AD: CITY}),
    "housing.read": ("查看住房救助", {DO: UNIT, AP: CITY, SU: CITY, CO: CITY, AD: CITY}),
    # training clock (培训时钟): only on a demo/training site (common.clock)
    "training_clock.move": ("拨动培训时钟", {AD: CITY}),
}

# Actions that need the unit to be handling the household now, for the service asked.
HANDLING = frozenset({"verification.request", "verification.read_report"})
# Bank accounts: a unit acts on the accounts of the payees it pays (an entitlement of the
# unit), not of every household referred to it.
PAYING = frozenset({"bank_account.read", "bank_account.change", "bank_account.confirm"})
# Reads (and the documents of a request) for which a town's staff also act on the households
# their window or unit has taken in (an application at its window, a referral to it): the
# request gives the town its reason.
TAKEN_IN = frozenset({"household.read", "document.read", "document.write", "charity.refer"})

# The table grouped for readers (docs/scope-table.md, ``scope_docs.readable()``): each area by the
# prefixes of its actions, with one sentence on whose records they are.
AREAS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "家庭档案与申请材料 (registry and documents)",
        "A household's file: members, incomes, assets, address and phone, and the papers of its requests.",
        ("household", "document"),
    ),
    (
        "一门受理 (intake: the one window)",
        "Requests taken at a town's window, the referrals sent to the units, emergency aid paid first.",
        ("application", "referral", "emergency"),
    ),
    (
        "核对 (verification)",
        "Asking the data sources about a household and reading the report; asked for a service, never "
        "to have a look.",
        ("verification",),
    ),
    (
        "审核确认 (decisions)",
        "Cases, approval, held grants, fraud decisions, entitlement reviews, staff's close relatives.",
        ("case", "grant", "fraud", "entitlement", "relative"),
    ),
    (
        "银行账户 (bank accounts)",
        "A payee's account: changed by one person, confirmed by a second, frozen on the line sent to "
        "the bank.",
        ("bank_account",),
    ),
    (
        "资金发放 (payments)",
        "Monthly rolls, bank files and returns, failed lines and recoveries, budgets, transfers to "
        "institutions.",
        ("payment", "institution", "transfer"),
    ),
    (
        "存量导入与变更申请 (existing caseload and change requests)",
        "A city's existing cases brought in, and changes to verified facts, each applied by a second person.",
        ("caseload", "change"),
    ),
    ("查重查漏 (screening)", "Duplicate and missed-help alerts and the departments' lists.", ("screening",)),
    (
        "专项救助 (disaster, medical, education, employment, extreme-poverty support, housing)",
        "The emergency-management unit's disaster events; the medical-insurance bureau's settlement files; "
        "the education bureau's pupils and term grants; the human-resources unit's registrations, job offers "
        "and subsidies; civil affairs' support institutions, their residents and the funeral benefit; the "
        "housing bureau's waiting list, allocations and renovations.",
        ("disaster", "medical", "education", "employment", "tekun", "housing"),
    ),
    (
        "社会力量 (social forces)",
        "Charities and companies: referrals to them, their offers, their claims of open needs.",
        ("charity",),
    ),
    (
        "联席会议、监督与绩效 (conference, supervision and performance)",
        "Complaints, accountability, the access and change logs, the units' tasks, the KPIs.",
        ("supervision", "performance"),
    ),
    (
        "系统管理 (administration)",
        "Staff accounts and the training site's clock.",
        ("staff", "training_clock"),
    ),
)

SCOPE: dict[tuple[str, str], str] = {
    (role, action): row.get(role, NONE) for action, (_, row) in ACTIONS.items() for role in m.ROLES
}


class RoleNotAllowed(PermissionDenied):
    code = "role_not_allowed"


class OutOfScope(PermissionDenied):
    code = "out_of_scope"


def roles_with(action: str) -> frozenset[str]:
    """The roles the table lets do ``action`` at all (for menus and role sets)."""
    return frozenset(r for r, sc in ACTIONS[action][1].items() if sc != NONE)


def scope_of(actor: User, action: str) -> str:
    if action not in ACTIONS:
        raise KeyError(f"unknown scope action {action!r}: add its row to jiuzhu.common.scope.ACTIONS")
    return SCOPE.get((role_of(actor), action), NONE)


def _pk(value):
    return getattr(value, "pk", value)


def _label(action: str) -> str:
    return ACTIONS[action][0]


def _model(label: str):
    return apps.get_model(label)


# --- what a unit serves or handles ------------------------------------------------------------


def served_households(unit_id):
    """Households behind the unit's referrals (any state), its entitlements and the
    applications its window took."""
    referrals = _model("intake.Referral").objects.filter(unit_id=unit_id).values("application__household_id")
    entitlements = _model("decisions.Entitlement").objects.filter(unit_id=unit_id).values("household_id")
    taken = _model("intake.Application").objects.filter(window_id=unit_id).values("household_id")
    return Q(pk__in=referrals) | Q(pk__in=entitlements) | Q(pk__in=taken)


def paid_households(unit_id):
    """Households with an entitlement paid by the unit."""
    return Q(pk__in=_model("decisions.Entitlement").objects.filter(unit_id=unit_id).values("household_id"))


def handled_households(unit_id):
    """Household pks the unit is handling now: an open application at its window, an open
    referral of the unit, an open decision case of its town."""
    Application = _model("intake.Application")
    Referral = _model("intake.Referral")
    Case = _model("decisions.Case")
    return (
        Q(pk__in=Application.objects.filter(window_id=unit_id, status="open").values("household_id"))
        | Q(
            pk__in=Referral.objects.filter(unit_id=unit_id, state__in=Referral.OPEN_STATES).values(
                "application__household_id"
            )
        )
        | Q(pk__in=Case.objects.filter(town_id=unit_id, state__in=Case.OPEN_STATES).values("household_id"))
    )


def handled_services(unit_id, household) -> set[str] | None:
    """Services the unit handles now for ``household``; ``None`` means any service (its
    window holds an open application of the household: the window takes the whole request)."""
    Application = _model("intake.Application")
    Referral = _model("intake.Referral")
    Case = _model("decisions.Case")
    hid = _pk(household)
    if Application.objects.filter(window_id=unit_id, household_id=hid, status="open").exists():
        return None
    codes = set(
        Referral.objects.filter(
            unit_id=unit_id, application__household_id=hid, state__in=Referral.OPEN_STATES
        ).values_list("service_code", flat=True)
    )
    codes |= set(
        Case.objects.filter(town_id=unit_id, household_id=hid, state__in=Case.OPEN_STATES).values_list(
            "service_code", flat=True
        )
    )
    return codes


# --- the check -------------------------------------------------------------------------------


def require(
    actor: User, action: str, *, town=None, unit=None, household=None, service: str | None = None
) -> str:
    """Refuse unless ``actor`` may do ``action`` on the record described: the ``town`` it
    belongs to, the ``unit`` that owns it (pays it, handles it), the ``household`` it is
    about, the ``service`` asked. A ``town``-scoped actor is judged by the record's town (or
    household; the unit that owns it does not matter), a ``unit``-scoped actor by the
    record's unit (or household; a record known only by its town is not his). Without a record
    it only asks whether the role may do the action at all (lists then filter with
    ``households_in_scope``). Returns the actor's scope."""
    scope = scope_of(actor, action)
    if scope == NONE:
        raise RoleNotAllowed(f"您的角色不能{_label(action)}", field="role")
    if scope == CITY:
        return scope
    own = getattr(actor, "unit_id", None)
    if own is None:
        raise OutOfScope(f"您未归属任何单位，不能{_label(action)}", field="unit")
    if household is not None and action in HANDLING:
        _require_handling(actor, action, household, service)
    if scope == TOWN:
        if town is not None and _pk(town) != own:
            raise OutOfScope(f"只能{_label(action)}本镇街的事项", field="town")
        if household is not None and action not in HANDLING:
            if getattr(household, "town_id", None) != own and not (
                action in TAKEN_IN and _serves(own, household)
            ):
                raise OutOfScope(f"该家庭不属于本镇街，您不能{_label(action)}", field="household")
    else:  # UNIT
        if unit is not None and _pk(unit) != own:
            raise OutOfScope(f"只能{_label(action)}本单位的事项", field="unit")
        if household is not None and action not in HANDLING and not _serves(own, household, action):
            raise OutOfScope(f"该家庭没有本单位经办的事项，您不能{_label(action)}", field="household")
        if unit is None and household is None and town is not None:
            raise OutOfScope(f"只能{_label(action)}本单位经办的事项", field="town")
    return scope


def _require_handling(actor: User, action: str, household, service: str | None) -> None:
    codes = handled_services(actor.unit_id, household)
    if codes is not None and not codes:
        raise OutOfScope(
            f"本单位没有正在办理的该家庭的申请、分办事项或审核确认，不能{_label(action)}", field="household"
        )
    if service is not None and codes is not None and service not in codes:
        raise OutOfScope(f"本单位没有为该家庭办理此救助事项，不能{_label(action)}", field="service")


def _rule(unit_id, action: str):
    if action in PAYING:
        return paid_households(unit_id)
    return served_households(unit_id)


def _serves(unit_id, household, action: str = "") -> bool:
    return _household_model().objects.filter(_rule(unit_id, action), pk=_pk(household)).exists()


def _household_model():
    return _model("registry.Household")


def allows(actor: User, action: str, **record) -> bool:
    """``require`` as a yes/no (for links and buttons)."""
    try:
        require(actor, action, **record)
    except PermissionDenied:
        return False
    return True


def households_in_scope(actor: User, action: str, qs: QuerySet, *, path: str = "") -> QuerySet:
    """``qs`` narrowed to the records ``actor`` may ``action``. ``path`` leads from the
    queryset's model to its household (``""`` for households, ``"household__"`` for
    applications, ``"application__household__"`` for referrals)."""
    scope = scope_of(actor, action)
    if scope == CITY:
        return qs
    own = getattr(actor, "unit_id", None)
    if scope == NONE or own is None:
        return qs.none()
    if action in HANDLING:
        rule = handled_households(own)
    elif scope == TOWN and action not in TAKEN_IN:
        return qs.filter(**{f"{path}town_id": own})
    elif scope == TOWN:
        rule = Q(town_id=own) | served_households(own)
    else:
        rule = _rule(own, action)
    households = _household_model().objects.filter(rule).values("pk")
    return qs.filter(**{f"{path}pk__in": households})


def read(
    actor: User,
    action: str,
    *,
    household,
    object_type: str = "household",
    object_id=None,
    purpose: str = "",
    log_action: str = "view",
    **record,
) -> str:
    """Check a personal-data read and log it (jiuzhu.common.services.log_access), in the
    caller's transaction."""
    from jiuzhu.common.services import log_access

    scope = require(actor, action, household=household, **record)
    log_access(
        user=actor,
        action=log_action,
        object_type=object_type,
        object_id=object_id if object_id is not None else getattr(household, "code", household),
        household_code=getattr(household, "code", ""),
        purpose=purpose or _label(action),
    )
    return scope


ROLE_WORDS = {
    m.WINDOW_CLERK: ("window clerk", "a town's one-window desk: takes every request"),
    m.TOWN_CASEWORKER: (
        "town caseworker",
        "a town's social-assistance office: investigates, gives the opinion",
    ),
    m.DEPARTMENT_OFFICER: ("department officer", "a department (education, housing, medical insurance…)"),
    m.VERIFICATION_OFFICER: ("verification officer", "the city's verification centre (核对中心)"),
    m.DATA_PROVIDER: ("data provider", "a unit whose data the verification centre queries"),
    m.APPROVER: (
        "approver",
        "civil affairs: decides cases, signs grants, prepares and approves the payment rolls",
    ),
    m.SUPERVISOR: ("supervisor", "discipline inspection, audit, finance: read-only"),
    m.CONVENER: ("convener", "the joint conference's convener"),
    m.ADMIN: ("administrator", "system administrator"),
    m.PARTNER: ("partner", "a charity or company's own log-in: its referrals only, anonymised needs"),
}


# A sentence under a row whose scope the three columns do not say in full (people's rules
# checked beside the row, in the module named).
NOTES = {
    "household.lookup_id": "by the full ID number only; outside the reader's `household.read` scope the household "
    "is shown masked and the lookup logged, until a request or referral gives the town a reason",
    "household.register": "at any window (one window); the household's own town then takes it up",
    "verification.read_detail": "at a town or unit only the handler who asked sees the figures "
    "(verification.access.sees_detail); others get the pass/fail summary",
    "bank_account.confirm": "never by the person who asked for the change (payments.services)",
    "change.review": "never by the person who raised the change (caseload.changes)",
    "case.approve": "the grant above the rule's amount waits for a second signature (`grant.sign`)",
    "charity.claim": "a partner claims only needs within its own areas, anonymised (charity.services)",
    "supervision.convene": "also a deputy appointed in the officers list (supervision.access)",
    "verification.source_export": "the data source's own administrator only (bank data leave only by the bank)",
    "training_clock.move": "only on a demo or training site (common.clock)",
    "performance.refresh": "one refresh at a time, city-wide (performance.refresh)",
}
