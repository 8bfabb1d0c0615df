"""The generator's tables (census-like frequencies, names, household types, income items), its
small numeric helpers and the schemas of the frames it yields."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

BLOCK = 4096  # households drawn from one seeded Generator
POOR_TARGET = 0.04  # share of persons in households below the dibao standard
# Dibao standard per person per month from 2026-01-01 (DOMAIN §3, demo values), yuan.
DIBAO_STANDARD_2026 = {"urban": 950, "rural": 800}
EMPLOYMENT_COST_RATE = 0.2
EMPLOYMENT_COST_CAP = 300
COUNTED_KINDS = ("wages", "business", "property", "transfer")
DEMO_CODE_PREFIX = "D"  # household codes of generated households: D + community code + seq

RELATIONS = ("head", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
R = {r: i for i, r in enumerate(RELATIONS)}
LABOUR = ("full", "partial", "none")
SELF_CARE = ("full", "partial", "none")
SCHOOL = ("", "preschool", "primary", "junior", "senior", "vocational", "university", "postgraduate")
EMPLOYMENT = ("employed", "flexible", "unemployed", "retired", "student", "none")
E = {k: i for i, k in enumerate(EMPLOYMENT)}
DISABILITY_KINDS = ("", "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple")
# Second national sample survey on disability (2006): shares of each kind.
DISABILITY_WEIGHTS = (0, 0.15, 0.24, 0.015, 0.29, 0.067, 0.07, 0.168)
DISABILITY_GRADE_WEIGHTS = (0.14, 0.2, 0.3, 0.36)  # grades 1–4
ILLNESSES = (
    ("恶性肿瘤", 0.42),
    ("尿毒症", 0.14),
    ("重性精神病", 0.1),
    ("白血病", 0.06),
    ("器官移植术后抗排异治疗", 0.04),
    ("耐多药肺结核", 0.04),
    ("先天性心脏病", 0.05),
    ("系统性红斑狼疮", 0.04),
    ("再生障碍性贫血", 0.03),
    ("血友病", 0.02),
    ("帕金森病", 0.06),
)

# Left as written (up to `# fmt: on`): name tables many to a line, as the census prints them; the
# formatter would break the given-name keys apart and misalign their continued strings.
# fmt: off
# Surnames with their share of the population in per mille (2020 census, rounded).
_SURNAME_TABLE = (
    "王71 李70 张62 刘54 陈46 杨32 黄23 赵21 吴21 周20 徐16 孙15 马15 朱13 胡12 郭12 何11 林11 "
    "高11 罗11 郑10 梁9 谢8 宋8 唐8 许7 韩7 冯7 邓7 曹7 彭7 曾7 肖6 田6 董6 袁6 潘6 于6 蒋5 "
    "蔡5 余5 杜5 叶5 程5 苏5 魏5 吕5 丁5 任4 沈4 姚4 卢4 姜4 崔4 钟4 谭4 陆4 汪4 范4 金4 石4 "
    "廖4 贾3 夏3 韦3 付3 方3 白3 邹3 孟3 熊3 秦3 邱3 江3 尹3 薛3 闫3 段3 雷3 侯3 龙3 史2 陶2 "
    "黎2 贺2 顾2 毛2 郝2 龚2 邵2 万2 钱2 严2 覃2 武2 戴2 莫2 孔2 向2 汤2 常2 温2 康2 施2 文2 "
    "牛2 樊2 葛2 邢2 安1 齐1 易1 乔1 伍1 庞1 颜1 倪1 庄1 聂1 章1 鲁1 岳1 翟1 殷1 詹1 申1 欧1 "
    "耿1 关1 兰1 焦1 俞1 左1 柳1 甘1 祝1 包1 宁1 尚1 符1 舒1 阮1 柯1 纪1 梅1 童1 凌1 毕1 单1 "
    "季1 裴1 霍1 涂1 成1 苗1 谷1 盛1 曲1 翁1 冉1 骆1 蓝1 路1 游1 辛1 靳1 管1 柴1 蒙1 鲍1 华1 "
    "喻1 祁1 蒲1 房1 滕1 屈1 饶1 解1 牟1 艾1 尤1 阳1 时1 穆1 农1 司1 卓1 古1 吉1 缪1 简1 车1 "
    "项1 连1 芦1 麦1 褚1 娄1 窦1 戚1 岑1 景1 党1 宫1 费1 卜1 冷1 晏1 席1 卫1 米1 柏1 宗1 瞿1 "
    "桂1 全1 佟1 应1 臧1 闵1 苟1 邬1 边1 卞1 姬1 师1 和1 仇1 栾1 隋1 商1 刁1 沙1 荣1 巫1 寇1 "
    "桑1 郎1 甄1 丛1 仲1 虞1 敖1 巩1 明1 佘1 池1 查1 麻1 苑1 迟1 邝1 欧阳0.3 司马0.1 上官0.1 诸葛0.1"
)
# Characters of given names by gender and generation (born before / from 1985).
_GIVEN = {
    ("M", "old"): "建国华明军伟平文志德林强勇斌东海峰杰涛刚波辉永庆春荣忠福成安兴良宝山生贵才祥立新红卫民金发清"
                  "树长富义友俊光学武中和正根洪进福昌泉德家",
    ("F", "old"): "秀英兰芳玉梅华红丽霞珍凤萍琴云敏静燕桂淑娟莲芬美翠春香月素琳艳娥彩菊爱荣慧金巧玲凤琼惠莉",
    ("M", "young"): "浩宇轩子涵梓睿博思俊杰泽晨铭昊宸然辰逸文一阳奕乐嘉家鑫磊鹏凯宁航旭天豪哲瑞皓毅霖煜锦承"
                    "宇航程远翔",
    ("F", "young"): "梓涵欣怡子萱雨思诗佳琪可馨悦若晴彤雅婷一依语嘉艺妍梦钰瑶琳心紫洁菲玥晨露颖蕾雯倩婧",
}
_URBAN_COMMUNITIES = (
    "和平 幸福 新华 建设 人民 光明 朝阳 文化 春晖 锦绣 紫荆 阳光 翠苑 花园 滨江 银杏 丽景 东升 金桥 长青 "
    "桂园 书香 学府 柳营 清河 永安 康乐 明珠 华庭 玉兰 振兴 北苑 南苑 东苑 西苑 新村 绿洲 泰和 祥和 友谊"
).split()
_VILLAGES = (
    "张家 李家 王庄 石桥 河口 柳塘 上坪 下湾 马头 杨柳 大田 小溪 黄泥 青山 白石 枫林 桃园 竹林 高岭 新塘 "
    "凤凰 龙潭 双河 三里 五星 红旗 长岭 后山 前进 东山 西岭 南湾 北坡 塘坝 荷花 杏花 梨园 松树 沙坪 水口"
).split()
_ROADS = (
    "人民路 解放路 中山路 建设路 和平路 新华路 文化路 胜利路 光明路 朝阳路 东风路 青年路 滨江路 长江路 黄河路 "
    "学府路 振兴路 科技路 创业路 迎宾路 府前街 东大街 西大街 南大街 北大街 工业路 幸福路 健康路 体育路 花园路"
).split()
_MOBILE = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 176 177 "
    "178 180 181 182 183 184 185 186 187 188 189 191 193 195 198 199"
).split()
# fmt: on


def _surnames() -> tuple[list[str], np.ndarray]:
    names, weights = [], []
    for token in _SURNAME_TABLE.split():
        i = next(k for k, c in enumerate(token) if c.isdigit())
        names.append(token[:i])
        weights.append(float(token[i:]))
    w = np.array(weights)
    return names, w / w.sum()


SURNAMES, SURNAME_P = _surnames()
GIVEN_CHARS = ["", *sorted(set("".join(_GIVEN.values())))]
_GIVEN_INDEX = {k: np.array([GIVEN_CHARS.index(c) for c in dict.fromkeys(v)]) for k, v in _GIVEN.items()}


@dataclass(frozen=True)
class Town:
    code: str
    name: str
    division_code: str  # 9 digits: county (6) + town (3)
    urban: bool


def towns_from_policy(policy) -> list[Town]:
    """The towns/streets of a ``policy.catalogue.Policy`` (streets are the urban ones)."""
    return [Town(u.code, u.name, u.division_code, bool(u.urban)) for u in policy.towns]


@dataclass
class Chunk:
    """Households ``idx`` are global (0, 1, 2 … over the run), persons' too; ``household_idx``
    and ``person_idx`` point at them."""

    households: pl.DataFrame
    persons: pl.DataFrame
    incomes: pl.DataFrame
    assets: pl.DataFrame


# --- household types ------------------------------------------------------------------------
# (size, weight within size, head age range, head age shape, P(head male), members after the
# head). Member ages follow the head's: spouse ±, child 20–38 years younger, parent 22–34
# older, grandchild 44–62 younger, "other" (a child's spouse) like a child.
_TYPES = (
    (1, 0.35, (20, 45), "flat", 0.58, ()),
    (1, 0.20, (45, 60), "flat", 0.50, ()),
    (1, 0.45, (60, 97), "old", 0.38, ()),
    (2, 0.20, (22, 40), "flat", 0.72, ("spouse",)),
    (2, 0.27, (45, 60), "flat", 0.75, ("spouse",)),
    (2, 0.33, (60, 92), "old", 0.78, ("spouse",)),
    (2, 0.12, (30, 55), "flat", 0.30, ("child",)),
    (2, 0.08, (60, 90), "old", 0.40, ("child",)),
    (3, 0.72, (26, 56), "flat", 0.75, ("spouse", "child")),
    (3, 0.10, (30, 55), "flat", 0.75, ("spouse", "parent")),
    (3, 0.10, (55, 82), "old", 0.80, ("spouse", "child")),
    (3, 0.08, (30, 50), "flat", 0.30, ("child", "child")),
    (4, 0.50, (30, 50), "flat", 0.75, ("spouse", "child", "child")),
    (4, 0.35, (28, 50), "flat", 0.75, ("spouse", "child", "parent")),
    (4, 0.15, (55, 76), "flat", 0.80, ("spouse", "child", "grandchild")),
    (5, 0.45, (32, 50), "flat", 0.75, ("spouse", "child", "child", "parent")),
    (5, 0.30, (28, 46), "flat", 0.75, ("spouse", "child", "parent", "parent")),
    (5, 0.25, (55, 76), "flat", 0.80, ("spouse", "child", "other", "grandchild")),
    (6, 0.55, (32, 48), "flat", 0.75, ("spouse", "child", "child", "parent", "parent")),
    (6, 0.45, (55, 76), "flat", 0.80, ("spouse", "child", "other", "grandchild", "grandchild")),
)
SIZE_P = {True: (0.19, 0.31, 0.25, 0.15, 0.06, 0.04), False: (0.15, 0.27, 0.22, 0.18, 0.10, 0.08)}
_SINGLE_PARENT = {6, 11}  # indexes of _TYPES with a lone parent


# Income items: name -> (IncomeItem kind, note). Several items may share a kind.
_ITEMS = {
    "wages": ("wages", "工资薪金"),
    "business": ("business", "家庭经营净收入"),
    "property": ("property", "房屋出租收入"),
    "transfer": ("transfer", "赡养费"),
    "relatives": ("transfer", "亲属资助"),
    "pension_basic": ("pension_basic", "城乡居民基本养老保险基础养老金"),
    "special_care": ("special_care", "优抚对象定期抚恤补助"),
    "family_planning": ("family_planning", "农村计划生育家庭奖励扶助金"),
    "award": ("award", "国家奖学金、助学金"),
    "disability_allowance": ("assistance", "残疾人两项补贴"),
    "dibao": ("assistance", "最低生活保障金"),
}


def _strs(table: Sequence[str], idx) -> pl.Series:
    """Strings of ``table`` at positions ``idx`` (building polars strings from numpy unicode
    arrays is the slow path)."""
    return pl.Series(list(table), dtype=pl.Utf8).gather(np.asarray(idx, dtype=np.int64))


def _lognormal(rng, median, sigma, n):
    return median * np.exp(sigma * rng.standard_normal(n))


def _cents(x) -> np.ndarray:
    return np.round(np.asarray(x, dtype=float) * 100).astype(np.int64)


def _yuan_cents(x) -> np.ndarray:
    """Whole yuan, in cents (valuations are in whole yuan)."""
    return np.round(np.asarray(x, dtype=float)).astype(np.int64) * 100


def counted_income_cents(wages, business, property_, transfer):
    """Per-member counted income in cents: wages less the employment cost (20 %, at most
    ¥300), plus business, property and transfer income (DOMAIN §3)."""
    cost = np.minimum(np.round(wages * EMPLOYMENT_COST_RATE), EMPLOYMENT_COST_CAP * 100)
    return wages - cost + business + property_ + transfer


def _group_first(values, starts, sentinel):
    """Per group (rows grouped, group i starting at ``starts[i]``): the smallest value."""
    if not len(values):
        return np.full(len(starts), sentinel)
    return np.minimum.reduceat(values, starts)


HOUSEHOLD_SCHEMA = {
    "idx": pl.Int64,
    "code": pl.Utf8,
    "town_code": pl.Utf8,
    "community": pl.Utf8,
    "division_code": pl.Utf8,
    "area": pl.Utf8,
    "address": pl.Utf8,
    "phone": pl.Utf8,
    "dwelling_area_cents": pl.Int64,
}
PERSON_SCHEMA = {
    "idx": pl.Int64,
    "household_idx": pl.Int64,
    "relation": pl.Utf8,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "gender": pl.Utf8,
    "birth_date": pl.Date,
    "phone": pl.Utf8,
    "labour_capacity": pl.Utf8,
    "disability_kind": pl.Utf8,
    "disability_grade": pl.Int16,
    "serious_illness": pl.Utf8,
    "self_care": pl.Utf8,
    "school_stage": pl.Utf8,
    "employment_status": pl.Utf8,
    "has_capable_supporter": pl.Boolean,
}
INCOME_SCHEMA = {
    "person_idx": pl.Int64,
    "kind": pl.Utf8,
    "monthly_amount_cents": pl.Int64,
    "source": pl.Utf8,
    "period_start": pl.Date,
    "period_end": pl.Date,
    "note": pl.Utf8,
}
ASSET_SCHEMA = {
    "household_idx": pl.Int64,
    "person_idx": pl.Int64,
    "kind": pl.Utf8,
    "value_cents": pl.Int64,
    "floor_area_cents": pl.Int64,
    "vehicle_purpose": pl.Utf8,
    "source": pl.Utf8,
    "as_of": pl.Date,
    "description": pl.Utf8,
}
