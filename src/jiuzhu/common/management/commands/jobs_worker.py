"""``jiuzhu jobs_worker [db_worker options]``: the background-job worker as ``jiuzhu serve``
starts it: first mark the jobs a killed worker left running as failed
(``jobs.recover_stale``) and delete the export files past their keeping time
(``jobs.clean_exports``), then run django-tasks' ``db_worker`` with the options given."""

from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiuzhu.common import jobs


class Command(BaseCommand):
    help = "启动后台任务进程（先处理上次中断的任务，再运行 db_worker）"

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1)
        parser.add_argument("--batch", action="store_true")

    def handle(self, *args, interval, batch, **options):
        for j in jobs.recover_stale():
            self.stderr.write(f"任务 {j.pk}（{j.title}）的执行进程已中断，已标为失败")
        cleaned = jobs.clean_exports()
        if cleaned:
            self.stderr.write(f"已删除 {len(cleaned)} 个超过保留期限的导出文件")
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--no-reload", "--interval", str(interval), *extra)
