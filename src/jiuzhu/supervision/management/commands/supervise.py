"""``jiuzhu supervise --tick [--date YYYY-MM-DD]``: escalate overdue directives and complaints
and refresh the next meeting's agenda (for cron; safe to run twice). ``--plan-year YYYY``
plans that year's four quarterly meetings."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.supervision.escalation import tick
from jiuzhu.supervision.services import meetings_plan_year


class Command(BaseCommand):
    help = "联席会议督办：标记超期督办事项并逐级升级、通知承办单位和召集人；可生成年度季度例会计划"

    def add_arguments(self, parser):
        parser.add_argument("--tick", action="store_true", help="执行一次超期标记与升级督办（可重复执行）")
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--plan-year", type=int, help="生成该年度的四次季度例会计划")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        if not options["tick"] and not options.get("plan_year"):
            raise CommandError("请指定 --tick 或 --plan-year YYYY")
        if options.get("plan_year"):
            made = meetings_plan_year(year=options["plan_year"], today=today)
            self.stdout.write(f"已生成 {options['plan_year']} 年季度例会计划 {len(made)} 次")
        if options["tick"]:
            self.stdout.write(str(tick(today=today)))
