"""``jiuzhu exports_clean``: delete the export jobs' files older than ``JIUZHU_EXPORT_KEEP_DAYS``
and mark them expired (``jobs.clean_exports``; the worker also does it after each job)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from jiuzhu.common import jobs


class Command(BaseCommand):
    help = "删除超过保留期限的导出文件（后台任务生成的文件）"

    def handle(self, *args, **options):
        cleaned = jobs.clean_exports()
        days = settings.JIUZHU_EXPORT_KEEP_DAYS
        self.stdout.write(f"已删除 {len(cleaned)} 个超过保留期限（{days} 天）的导出文件")
