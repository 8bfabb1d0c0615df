"""``jiuzhu screen``: one screening run (查重 · 查漏 · 查不公), repeatable: only new cases are
raised, dismissed ones never again."""

from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError

KINDS = (("duplicate", "查重"), ("omission", "查漏"), ("unfairness", "查不公"))
STAGES = ("读取数据", "筛查规则", "保存预警")


class Command(BaseCommand):
    help = "Screen every roster, department list and register for duplicates, omissions and unfairness."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="基准日 YYYY-MM-DD（默认今天）"
        )
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        from tqdm import tqdm

        from jiuzhu.policy.selectors import current_policy
        from jiuzhu.screening.services import screening_run

        as_of = options["as_of"] or clock.today()
        bar = tqdm(total=len(STAGES), desc="筛查", unit="步", file=sys.stderr, disable=options["no_progress"])

        begun: list[str] = []

        def progress(stage: str) -> None:
            # called as a stage begins: the bar counts the stages finished
            if begun:
                bar.update(1)
            begun.append(stage)
            bar.set_postfix_str(stage)

        try:
            run = screening_run(policy=current_policy(), as_of=as_of, progress=progress)
            bar.update(len(STAGES) - bar.n)
        except JiuzhuError as exc:
            raise CommandError(exc.message) from None
        finally:
            bar.close()
        for kind, label in KINDS:
            self.stdout.write(
                f"{label}（{kind}）：新增 {run.raised.get(kind, 0)} 条，本次共发现 {run.found.get(kind, 0)} 条"
            )
        self.stdout.write(f"新增预警合计 {sum(run.raised.values())} 条（基准日 {as_of}）")
