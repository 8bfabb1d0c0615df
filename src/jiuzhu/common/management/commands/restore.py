"""``jiuzhu restore DIR [--force]``: restore a backup made by ``jiuzhu backup`` into an empty
database and data directory (``jiuzhu.common.backup``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.common import backup
from jiuzhu.common.errors import JiuzhuError


class Command(BaseCommand):
    help = "从备份恢复数据库、数据目录和密钥（目标须为空，除非 --force）"

    def add_arguments(self, parser):
        parser.add_argument("source", help="jiuzhu backup 生成的备份目录")
        parser.add_argument("--force", action="store_true", help="目标非空时仍然覆盖")

    def handle(self, *args, source, force=False, **options):
        try:
            manifest = backup.restore(Path(source), force=force)
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(
            self.style.SUCCESS(f"恢复完成：{len(manifest['counts'])} 张表，共 {rows} 行，行数与备份一致")
        )
