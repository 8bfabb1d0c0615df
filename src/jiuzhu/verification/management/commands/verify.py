"""``jiuzhu verify --recipients [--date YYYY-MM-DD] [--engine duckdb|spark]``: re-check every
current recipient household against the latest datasets and raise change alerts (once).
``jiuzhu verify --tick``: list the verification tasks due soon or overdue and notify the
units (once per task and due date)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.common import clock


class Command(BaseCommand):
    help = "核对：复核在保家庭（--recipients），或提示临近期限、超期的核对任务（--tick）"

    def add_arguments(self, parser):
        parser.add_argument("--recipients", action="store_true", help="复核全部在保家庭并产生变更预警")
        parser.add_argument("--tick", action="store_true", help="标记并通知临近期限、超期的核对任务")
        parser.add_argument("--date", help="基准日 YYYY-MM-DD（默认今天）")
        parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"), help="匹配引擎")
        parser.add_argument("--quiet", action="store_true", help="不显示进度条")

    def handle(self, *args, **opts):
        if not (opts["recipients"] or opts["tick"]):
            raise CommandError("请指定 --recipients 或 --tick")
        try:
            on = date.fromisoformat(opts["date"]) if opts["date"] else clock.today()
        except ValueError:
            raise CommandError(f"日期“{opts['date']}”格式应为 YYYY-MM-DD") from None
        if opts["tick"]:
            from jiuzhu.verification.tasks import tick

            self.stdout.write(str(tick(today=on)))
        if opts["recipients"]:
            from jiuzhu.linkage import LinkageError
            from jiuzhu.verification.recheck import run

            try:
                result = run(on=on, engine=opts["engine"], progress=not opts["quiet"], started_by="command")
            except LinkageError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(str(result))
            for a in result.new_alerts:
                self.stdout.write(
                    f"  [{a.get_kind_display()}] {a.household.code} {a.service_code}：{a.detail}"
                )
