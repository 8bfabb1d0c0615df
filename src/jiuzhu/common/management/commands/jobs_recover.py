"""``jiuzhu jobs_recover``: mark jobs left running by a dead worker as failed (see
``jiuzhu.common.jobs.recover_stale``); the person who started one can queue it again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from jiuzhu.common import jobs


class Command(BaseCommand):
    help = "把后台进程中断后仍显示“进行中”的任务标为失败（可由发起人重新排队）"

    def handle(self, *args, **options):
        marked = jobs.recover_stale()
        for j in marked:
            self.stdout.write(f"任务 {j.pk}（{j.title}）：执行进程 {j.worker or '未知'} 已中断，已标为失败")
        self.stdout.write(f"共处理 {len(marked)} 个中断的任务")
