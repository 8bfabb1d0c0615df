"""Helpers for this app's tests, the bench, the browser test and the demo (no test-framework
imports): village-list rows and the xlsx a village would send."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.registry.testing import make_id

from .villagelists import workbook

__all__ = ["village_rows", "workbook"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
DAMAGE_NAMES = ("住房未受损", "一般损坏", "严重损坏", "倒塌")


def village_rows(n: int, *, town: str, village: str = "河口村", start: int = 0) -> list[dict]:
    """``n`` rows (keyed by header) of people the registry does not know, deterministic."""
    out = []
    for i in range(start, start + n):
        birth = date(1950, 1, 1) + timedelta(days=(i // 400) * 7 % 20000)
        persons = 1 + i % 5
        out.append(
            {
                "户主姓名": SURNAMES[i % 20] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 500) % len(GIVEN)],
                "户主身份证号码": make_id(birth, gender="MF"[i % 2], seq=i % 400),
                "镇街": town,
                "村（社区）": village,
                "居住地址": f"{village}{i % 300 + 1}组{i % 97 + 1}号",
                "城乡": "农村",
                "联系电话": "",
                "受灾人口": str(persons),
                "需过渡安置人数": str(persons if i % 3 == 0 else 0),
                "住房损毁": DAMAGE_NAMES[i % 4],
                "农作物受灾面积（亩）": str(i % 7),
                "死亡人数": "0",
                "受伤人数": str(1 if i % 50 == 0 else 0),
            }
        )
    return out
