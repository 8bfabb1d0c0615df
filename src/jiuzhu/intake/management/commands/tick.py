"""``jiuzhu tick [--date YYYY-MM-DD]``: for cron; safe to run twice."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.intake.deadlines import tick


class Command(BaseCommand):
    help = "标记临近期限和超期的分办事项及先行救助，发送通知（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        self.stdout.write(str(tick(today=today)))
