"""``jiuzhu kpis --refresh [--year Y]``: recompute the monthly KPI snapshots the dashboard reads."""

import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jiuzhu.performance.services import snapshot_refresh


class Command(BaseCommand):
    help = "刷新绩效指标快照（按月、按单位）"

    def add_arguments(self, parser):
        parser.add_argument("--refresh", action="store_true", help="重新计算快照")
        parser.add_argument("--year", type=int, default=None, help="年份（默认今年）")

    def handle(self, *args, refresh=False, year=None, **opts):
        year = year or timezone.localdate().year
        if not refresh:
            self.stdout.write("用法：jiuzhu kpis --refresh [--year Y]")
            return
        t0 = time.perf_counter()
        n = snapshot_refresh(year=year, progress=opts.get("verbosity", 1) >= 1)
        self.stdout.write(f"{year} 年指标快照已刷新：{n} 行，用时 {time.perf_counter() - t0:.2f} 秒")
