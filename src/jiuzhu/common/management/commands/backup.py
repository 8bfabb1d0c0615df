"""``jiuzhu backup [--output DIR]``: the database, the data directory and the keys, with a
manifest and checksums (``jiuzhu.common.backup``)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jiuzhu.common import backup


class Command(BaseCommand):
    help = "备份数据库、数据目录和密钥（含清单与校验和）"

    def add_arguments(self, parser):
        parser.add_argument("--output", default=None, help="备份存放目录（默认 数据目录/backups）")

    def handle(self, *args, output=None, **options):
        target = backup.backup(Path(output) if output else Path(settings.DATA_DIR) / "backups")
        self.stdout.write(self.style.SUCCESS(f"备份完成：{target}"))
        self.stdout.write("请妥善保管：其中的 keys/field_key 可解密银行账号。")
