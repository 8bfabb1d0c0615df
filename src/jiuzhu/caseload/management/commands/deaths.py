"""``jiuzhu deaths [--date YYYY-MM-DD]``: turn the police's death records (source ``deaths``) in
the dataset in force into change requests for the household's town to review. Safe to run
twice: each record is raised once."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.caseload.changes import deaths_from_police
from jiuzhu.common import clock


class Command(BaseCommand):
    help = "把公安死亡登记数据转为待复核的变更申请（每条记录只提出一次，可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期在用的数据（YYYY-MM-DD），默认今天")

    def handle(self, *args, **options):
        on = clock.today()
        if options.get("date"):
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        raised = deaths_from_police(on=on)
        self.stdout.write(f"新提出死亡变更申请 {len(raised)} 件")
