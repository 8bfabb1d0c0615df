"""``jiuzhu review [--date YYYY-MM-DD] [--quiet]``: generate the periodic review tasks due (and
the reviews after a death). Safe to run twice: an entitlement under review gets no second task."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.common import clock
from jiuzhu.decisions.reviews import reviews_generate


class Command(BaseCommand):
    help = "生成到期的动态管理复核任务（定期复核、家庭成员死亡复核），可重复执行"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按该日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):

        on = clock.today()
        if options.get("date"):
            try:
                on = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"日期格式应为 YYYY-MM-DD：{options['date']}") from None
        self.stdout.write(str(reviews_generate(on=on, progress=not options["quiet"])))
