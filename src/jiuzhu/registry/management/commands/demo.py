"""``jiuzhu demo [--households N] [--seed S] [--no-serve] [--host H] [--port P] [--reset]``

One command from an empty database to a running demo city: migrate, sync the units of the
current policy file, create a login for every role (DOMAIN §1) with the demo password,
generate N households (a bulk import of fictitious data — see ``registry.bulk``), print the
logins, then serve. Running it again changes nothing but the staff accounts (reset to the
demo password); ``--reset`` removes the generated households first and makes them anew
(with everything the areas' demo seeds made of them: the demo database is emptied).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.discovery import installed_modules
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry import bulk, demogen
from jiuzhu.registry.demo_staff import DEFAULT_HOUSEHOLDS
from jiuzhu.registry.models import Household, Unit, User
from jiuzhu.registry.services import units_sync

DEMO_PASSWORD = "jiuzhu-demo"
NEWCOMER = "newcomer"  # a staff account without a role yet (the administrator's queue)
ROLE_TITLES = {
    m.WINDOW_CLERK: "窗口受理员",
    m.TOWN_CASEWORKER: "社会救助经办员",
    m.DEPARTMENT_OFFICER: "部门经办员",
    m.VERIFICATION_OFFICER: "核对员",
    m.DATA_PROVIDER: "数据提供员",
    m.APPROVER: "审批人",
    m.SUPERVISOR: "监督员",
    m.CONVENER: "联席会议召集人",
    m.ADMIN: "系统管理员",
}
# Supervision sits with discipline inspection, audit or finance (DOMAIN §1): the first the
# policy file declares.
SUPERVISOR_UNITS = ("discipline", "audit", "finance")
# Later domain areas add their demo data through ``jiuzhu.<app>.demo.seed(policy=, today=)``,
# called in this order after the households exist. Each seed is idempotent (a second run
# adds nothing) and returns a one-line summary for the console.
DEMO_APPS = (
    "intake",
    "verification",
    "decisions",
    "disaster",  # before payments: its months of aid are paid by the demo's rolls
    "education",  # before payments: the family-paid term grants are paid by the rolls
    "employment",  # before payments: the training and post subsidies are paid by the rolls
    "tekun",  # before payments: the residents' support is paid to the institution, not by the roll
    "housing",  # after decisions (the rent subsidies it ends), before payments (the renovation stages)
    "medical",  # before payments: its transfers are in the ledger when payments sizes the demo year
    "payments",
    "screening",
    "supervision",
    "performance",
    "charity",
    "registry",  # last: programme facts on a few households, for the window's pre-check
)


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    unit: Unit


def _short(code: str) -> str:
    return code.removeprefix("town_")


def demo_logins(policy) -> list[Login]:
    """The demo accounts: a window clerk and a caseworker in every town, an officer in every
    department, a data provider for every data-source unit, and one each of the city roles."""
    units = {u.code: u for u in Unit.objects.filter(code__in=[s.code for s in policy.units])}
    lead = units[policy.city.lead_unit]
    out = []
    for spec in policy.towns:
        out.append(Login(f"clerk_{_short(spec.code)}", m.WINDOW_CLERK, units[spec.code]))
        out.append(Login(f"caseworker_{_short(spec.code)}", m.TOWN_CASEWORKER, units[spec.code]))
    departments = [s for s in policy.units if s.kind == "department"]
    out += [Login(f"officer_{s.code}", m.DEPARTMENT_OFFICER, units[s.code]) for s in departments]
    out.append(Login("verifier", m.VERIFICATION_OFFICER, lead))
    out += [
        Login(f"provider_{s.code}", m.DATA_PROVIDER, units[s.code]) for s in policy.units if s.data_source
    ]
    supervisor_unit = next((units[c] for c in SUPERVISOR_UNITS if c in units), lead)
    out += [
        Login("approver", m.APPROVER, lead),
        Login("supervisor", m.SUPERVISOR, supervisor_unit),
        Login("convener", m.CONVENER, lead),
        Login("admin", m.ADMIN, lead),
    ]
    return out


@transaction.atomic
def demo_staff_sync(*, policy, password: str = DEMO_PASSWORD) -> list[Login]:
    """Create or reset the demo accounts (all with ``password``; hashed once, since hashing
    is deliberately slow)."""
    hashed = make_password(password)
    logins = demo_logins(policy)
    for login in logins:
        admin = login.role == m.ADMIN
        User.objects.update_or_create(
            username=login.username,
            defaults={
                "password": hashed,
                "role": login.role,
                "unit": login.unit,
                "display_name": f"{login.unit.name}{ROLE_TITLES[login.role]}",
                "is_active": True,
                "is_staff": admin,
                "is_superuser": admin,
            },
        )
    # A newcomer's account waiting for the administrator to give it a role: the admin's home
    # queue (未分配角色的工作人员账号) has the demo's item in it. Not a demo login: it has no work.
    town = Unit.objects.get(code=policy.towns[0].code)
    User.objects.update_or_create(
        username=NEWCOMER,
        defaults={
            "password": hashed,
            "role": "",
            "unit": town,
            "display_name": f"{town.name}新入职人员",
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
        },
    )
    return logins


def _seed_app(app: str, *, policy, today: date) -> str:
    module = installed_modules("demo").get(app)
    if module is None:
        return ""  # that area has no demo data
    return module.seed(policy=policy, today=today) or ""


def _report_app(app: str, *, policy, today: date) -> str:
    """An area's closing report (``jiuzhu.<app>.demo.report``), printed after every seed ran:
    payments' spending by unit."""
    module = installed_modules("demo").get(app)
    report = getattr(module, "report", None) if module is not None else None
    return (report(policy=policy, today=today) or "") if report else ""


class Command(BaseCommand):
    help = "一条命令建立演示城市：迁移数据库、同步单位、创建各角色演示账号、生成演示家庭，然后启动服务"

    def add_arguments(self, parser):
        parser.add_argument(
            "--households",
            type=int,
            default=DEFAULT_HOUSEHOLDS,
            help=f"生成的家庭户数（默认 {DEFAULT_HOUSEHOLDS}）",
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="随机种子（同一天以同一种子生成的数据相同）"
        )
        parser.add_argument("--no-serve", action="store_true", help="只准备数据，不启动服务")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--reset", action="store_true", help="先清除已生成的演示家庭再重新生成")

    def handle(self, *args, **o):
        if o["households"] < 0:
            raise CommandError("--households 不能为负数")
        verbose = o["verbosity"] > 0
        call_command("migrate", interactive=False, verbosity=0)
        policy = current_policy()
        units_sync(policy=policy)
        logins = demo_staff_sync(policy=policy)
        if o["reset"]:
            removed = self._reset(policy)
            logins = demo_staff_sync(policy=policy)
            self._say(verbose, f"已清除演示家庭 {removed} 户")
        if bulk.demo_loaded():
            n = Household.objects.filter(code__startswith=demogen.DEMO_CODE_PREFIX).count()
            self._say(verbose, f"数据库中已有演示家庭 {n} 户，未重复生成（--reset 可重新生成）")
        elif o["households"]:
            chunks = demogen.generate(
                towns=demogen.towns_from_policy(policy),
                households=o["households"],
                seed=o["seed"],
                as_of=clock.today(),
                city_name=policy.city.name,
            )
            stats = bulk.bulk_load(chunks, progress=verbose and o["households"] >= 20_000)
            self._say(
                verbose,
                f"已生成演示家庭 {stats.households} 户、人员 {stats.persons} 人、收入 {stats.incomes} 条、"
                f"资产 {stats.assets} 条，用时 {stats.seconds:.1f} 秒",
            )
        for app in DEMO_APPS:
            summary = _seed_app(app, policy=policy, today=clock.today())
            if summary:
                self._say(verbose, summary)
        for app in DEMO_APPS:
            text = _report_app(app, policy=policy, today=clock.today())
            if text:
                self._say(verbose, text)
        if verbose:
            self._print_logins(logins)
        if not o["no_serve"]:
            call_command("serve", host=o["host"], port=o["port"], workers=o["workers"])

    def _reset(self, policy) -> int:
        """Remove the demo households; when the areas' demo records point at them, the
        database is a demo database through and through, so it is emptied whole (``flush``)
        and the units set up again. A database without demo households is never emptied."""
        try:
            return bulk.demo_delete()
        except JiuzhuError as exc:
            if not bulk.demo_loaded() or exc.code != "demo_data_referenced":
                raise CommandError(exc.message) from exc
        n = Household.objects.filter(code__startswith=demogen.DEMO_CODE_PREFIX).count()
        call_command("flush", interactive=False, verbosity=0)
        units_sync(policy=policy)
        return n

    def _say(self, verbose: bool, text: str) -> None:
        if verbose:
            self.stdout.write(text)

    def _print_logins(self, logins: list[Login]) -> None:
        names = dict(User.Role.choices)
        width = max(len(x.username) for x in logins)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"演示账号（密码均为 {DEMO_PASSWORD}）："))
        self.stdout.write("  用户名" + " " * (width - 6) + "  角色 / 单位")  # 用户名 is 6 columns wide
        for x in logins:
            self.stdout.write(f"  {x.username.ljust(width)}  {names[x.role]} / {x.unit.name}")
        from django.conf import settings

        if settings.SECOND_FACTOR_REQUIRED:
            self.stdout.write(
                "审批、核对、资金发放和系统管理账号首次登录须用身份验证器绑定动态口令；"
                "仅作演示时可设置 JIUZHU_DEMO_2FA=off 跳过（见 README “Sign-in”）。"
            )
