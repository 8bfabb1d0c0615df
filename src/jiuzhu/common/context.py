"""Template context: the navigation a role sees. Items whose page does not exist yet (an app
not installed) are left out."""

from django.urls import NoReverseMatch, reverse

from . import clock, scope
from . import masking as m
from .roles import role_of

ALL_STAFF = set(m.ROLES)

# (label, url name, roles that see it)
NAV = [
    ("首页", "registry:home", ALL_STAFF),
    ("户籍与家庭", "registry:search", ALL_STAFF - {m.DATA_PROVIDER, m.PARTNER}),
    ("一门受理", "intake:window", {m.WINDOW_CLERK, m.TOWN_CASEWORKER, m.ADMIN}),
    ("待办转办", "intake:inbox", {m.DEPARTMENT_OFFICER, m.TOWN_CASEWORKER, m.APPROVER, m.ADMIN}),
    ("核对", "verification:home", {m.VERIFICATION_OFFICER, m.DATA_PROVIDER, m.SUPERVISOR, m.ADMIN}),
    ("审核确认", "decisions:home", {m.TOWN_CASEWORKER, m.APPROVER, m.SUPERVISOR, m.ADMIN}),
    ("资金发放", "payments:home", {m.TOWN_CASEWORKER, m.APPROVER, m.SUPERVISOR, m.CONVENER, m.ADMIN}),
    ("查重查漏", "screening:home", {m.TOWN_CASEWORKER, m.APPROVER, m.SUPERVISOR, m.CONVENER, m.ADMIN}),
    ("领导驾驶舱", "performance:home", {m.CONVENER, m.SUPERVISOR, m.APPROVER, m.ADMIN}),
    ("联席会议与监督", "supervision:home", ALL_STAFF - {m.DATA_PROVIDER, m.PARTNER}),
    (
        "存量导入与变更",
        "caseload:home",
        {m.WINDOW_CLERK, m.TOWN_CASEWORKER, m.APPROVER, m.SUPERVISOR, m.ADMIN},
    ),
    ("受灾救助", "disaster:home", {m.DEPARTMENT_OFFICER, m.APPROVER, m.SUPERVISOR, m.CONVENER, m.ADMIN}),
    ("教育救助", "education:home", scope.roles_with("education.read")),
    ("就业救助", "employment:home", scope.roles_with("employment.read")),
    ("特困供养", "tekun:home", scope.roles_with("tekun.read")),
    ("住房救助", "housing:home", scope.roles_with("housing.read")),
    ("社会力量", "charity:home", {m.TOWN_CASEWORKER, m.WINDOW_CLERK, m.APPROVER, m.PARTNER, m.ADMIN}),
    ("新建账号", "registry:staff_new", scope.roles_with("staff.create")),
    ("系统管理", "admin:index", {m.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if not user or not user.is_authenticated:
        return {"nav": []}
    role = role_of(user)
    items = []
    for label, name, roles in NAV:
        if role not in roles:
            continue
        try:
            items.append({"label": label, "url": reverse(name)})
        except NoReverseMatch:
            continue
    return {"nav": items, "role": role}


def training_clock(request):
    """On a training site, the platform's date and how far it is ahead (the banner in base.html)."""
    if not clock.training_site():
        return {}
    days = clock.offset_days()
    return {"training": {"today": clock.today(), "days": days}}
