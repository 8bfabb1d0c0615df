"""``jiuzhu charity_tick [--date YYYY-MM-DD]``: for cron, next to ``jiuzhu tick``; flags
charity referrals past their answer or delivery date and tells the referring unit and the
supervisor. Safe to run twice."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.charity.referrals import tick


class Command(BaseCommand):
    help = "标记超期未接收或未反馈的慈善转介，并通知转介单位和监督人员（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        n = tick(today=today)
        self.stdout.write(f"新超期慈善转介 {n} 件")
