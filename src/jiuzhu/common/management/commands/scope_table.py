"""``jiuzhu scope_table [--write]``: the scope table by area, as docs/scope-table.md shows it
(``jiuzhu.common.scope_docs.readable``); ``--write`` rewrites that document."""

from django.conf import settings
from django.core.management.base import BaseCommand

from jiuzhu.common import scope_docs


class Command(BaseCommand):
    help = "输出范围表（按业务领域），--write 写入 docs/scope-table.md"

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="写入 docs/scope-table.md")

    def handle(self, *args, write=False, **options):
        text = scope_docs.readable()
        if not write:
            self.stdout.write(text, ending="")
            return
        target = settings.BASE_DIR / "docs" / "scope-table.md"
        target.write_text(text, encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"已写入 {target}"))
