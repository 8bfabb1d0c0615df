"""``jiuzhu kpis [--monitor] [--refresh] [--year Y]``: judge the monitored low-income population
with the rules (``--monitor``, nightly), recompute the monthly KPI snapshots the dashboard reads
(``--refresh``)."""

import time

from django.core.management.base import BaseCommand

from jiuzhu.common import clock
from jiuzhu.performance.services import snapshot_refresh


class Command(BaseCommand):
    help = "刷新绩效指标快照（按月、按单位）"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="重新计算快照")
        parser.add_argument("--year", type=int, default=None, help="年份（默认今年）")
        parser.add_argument(
            "--monitor", action="store_true", help="先按救助规则重新认定低收入监测家庭（覆盖率的分母）"
        )

    def handle(self, *args, refresh=False, year=None, monitor=False, **opts):
        year = year or clock.today().year
        if not refresh and not monitor:
            self.stdout.write("用法：jiuzhu kpis [--monitor] [--refresh] [--year Y]")
            return
        if monitor:
            from jiuzhu.performance.monitoring import monitoring_refresh
            from jiuzhu.policy.selectors import current_policy

            t0 = time.perf_counter()
            n = monitoring_refresh(policy=current_policy(), on=clock.today())
            self.stdout.write(f"低收入监测家庭已重新认定：{n} 户，用时 {time.perf_counter() - t0:.2f} 秒")
        if not refresh:
            return
        t0 = time.perf_counter()
        n = snapshot_refresh(year=year, progress=opts.get("verbosity", 1) >= 1)
        self.stdout.write(f"{year} 年指标快照已刷新：{n} 行，用时 {time.perf_counter() - t0:.2f} 秒")
