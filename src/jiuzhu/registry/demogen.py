"""A deterministic generator of a demo city's households, persons, incomes and assets.

Pure: no Django. ``generate(towns=..., households=N, seed=S)`` yields ``Chunk`` objects, each a
few thousand households as polars frames, so a million persons never sit in memory as Python
objects at once. The output depends only on (towns, seed, as_of, standards): households are
drawn in fixed blocks of ``BLOCK`` households, each from its own seeded numpy Generator, so
the chunk size does not change what is generated, and runs with the same seed share their
whole blocks (the first 4,096 households of a 5,000- and of a 1,000,000-household run agree).

What is realistic about it (2020 census and civil-affairs statistics, rounded):
- surnames by national frequency, given names of one or two characters by generation,
  members sharing the head's surname (children, grandchildren, the head's father);
- household sizes 1–6 (mean about 2.8), household types (single elderly, couples, three
  generations), about 20 % aged 60+, about 15 % under 15;
- ID numbers (GB 11643): the town's 6-digit county code, the birth date, a sequence whose
  parity is the gender, the ISO 7064 check character; unique over the whole run (a counter
  per county, birth date and gender, carried from block to block);
- disability (about 6 %, rising with age), serious illness (about 1.5 %), schooling by age,
  employment by age, area and household circumstances, self-care of the elderly and disabled;
- incomes by kind (wages, business, property, transfer, and the kinds that are not counted)
  and assets (savings, vehicles, houses with floor area, businesses);
- about 4 % of persons live in households whose per-capita counted income (wages, business,
  property, transfer, less 20 % of each earner's wages up to ¥300) is below the dibao
  standard, as in a real city: a household's chance of being poor rises with old age,
  disability, illness, single parenthood and rural residence, and is scaled per block so
  that the share of persons is ``POOR_TARGET``.

Money and floor areas are integers in cents (hundredths): ``*_cents`` columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

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


def generate(
    *,
    towns: Sequence[Town],
    households: int | None = None,
    persons: int | None = None,
    seed: int = 0,
    as_of: date | None = None,
    standards: dict | None = None,
    chunk_households: int = 20_000,
    city_name: str = "",
) -> Iterator[Chunk]:
    """Yield chunks of about ``chunk_households`` households until ``households`` households
    or (whole households up to) ``persons`` persons are made. ``as_of`` (default today) is the
    date ages, schooling and the 12-month income period are reckoned from; ``standards`` the
    dibao standard per area in yuan (default the demo city's 2026 values)."""
    if (households is None) == (persons is None):
        raise ValueError("give households or persons")
    gen = _Generator(
        towns=towns,
        seed=seed,
        as_of=as_of or date.today(),
        standards=standards or DIBAO_STANDARD_2026,
        city_name=city_name,
    )
    blocks_per_chunk = max(1, -(-chunk_households // BLOCK))
    made_h = made_p = 0
    pending: list[Chunk] = []
    for b in itertools.count():
        if households is not None:
            n = min(BLOCK, households - made_h)
            if n <= 0:
                break
        elif made_p >= persons:
            break
        else:
            n = BLOCK
        chunk = gen.block(b, n, made_h)
        if persons is not None and made_p + chunk.persons.height > persons:
            chunk = _cut(chunk, persons - made_p)
            persons = made_p + chunk.persons.height  # stop after this one
        made_h += chunk.households.height
        made_p += chunk.persons.height
        pending.append(chunk)
        if len(pending) == blocks_per_chunk:
            yield _concat(pending)
            pending = []
    if pending:
        yield _concat(pending)


def _concat(chunks: list[Chunk]) -> Chunk:
    if len(chunks) == 1:
        return chunks[0]
    return Chunk(
        *(pl.concat([getattr(c, f) for c in chunks]) for f in ("households", "persons", "incomes", "assets"))
    )


def _cut(chunk: Chunk, limit: int) -> Chunk:
    """The first whole households of ``chunk`` with at most ``limit`` persons in all."""
    # Persons are grouped by household: the household of person ``limit`` is the first left out.
    stop_h = chunk.persons["household_idx"][limit] if limit > 0 else chunk.households["idx"][0]
    persons = chunk.persons.filter(pl.col("household_idx") < stop_h)
    last_person = persons["idx"].max() if persons.height else -1
    return Chunk(
        chunk.households.filter(pl.col("idx") < stop_h),
        persons,
        chunk.incomes.filter(pl.col("person_idx") <= last_person),
        chunk.assets.filter(pl.col("household_idx") < stop_h),
    )


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


class _Generator:
    def __init__(self, *, towns, seed, as_of, standards, city_name):
        if not towns:
            raise ValueError("no towns: the policy file declares none")
        self.towns = list(towns)
        self.seed = int(seed)
        self.as_of = as_of
        self.standards = standards
        self.city_name = city_name
        setup = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**31,)))
        urban = np.array([t.urban for t in self.towns])
        # Streets are more populous than rural towns: about two thirds live in streets.
        w = np.where(urban, 2.4, 1.0) * setup.uniform(0.75, 1.25, len(self.towns))
        self.town_p = w / w.sum()
        self.town_urban = urban
        self.town_name = [t.name for t in self.towns]
        self.town_division = [t.division_code for t in self.towns]
        self.town_county = np.array([int(t.division_code[:6]) for t in self.towns], dtype=np.int64)
        # Communities of each town: residents' committees (0xx) in streets, villages (2xx) in
        # rural towns, flattened with an offset per town.
        names, codes, self.comm_offset, self.comm_count = [], [], [], []
        for t in self.towns:
            pool, suffix, base = (_URBAN_COMMUNITIES, "社区", 1) if t.urban else (_VILLAGES, "村", 201)
            k = int(setup.integers(8, 17) if t.urban else setup.integers(10, 21))
            self.comm_offset.append(len(names))
            self.comm_count.append(k)
            for i, pick in enumerate(setup.choice(len(pool), size=k, replace=False)):
                names.append(pool[pick] + suffix)
                codes.append(f"{base + i:03d}")
        self.comm_name, self.comm_code = names, codes
        self.comm_offset, self.comm_count = np.array(self.comm_offset), np.array(self.comm_count)
        self.household_seq = np.zeros(len(self.towns), dtype=np.int64)
        self.epoch = np.datetime64("1890-01-01")
        n_days = int((np.datetime64(as_of) - self.epoch).astype(int)) + 1
        self.id_counters = {c: np.zeros(n_days * 2, dtype=np.int64) for c in set(self.town_county.tolist())}
        self.type_size = np.array([t[0] for t in _TYPES])
        self.next_person = 0

    def block(self, b: int, n: int, first: int) -> Chunk:
        """Households ``first`` … ``first + n - 1``, drawn from the Generator of block ``b``."""
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(b,)))
        town = rng.choice(len(self.towns), size=BLOCK, p=self.town_p)[:n]
        urban = self.town_urban[town]
        sizes = {u: rng.choice(np.arange(1, 7), size=BLOCK, p=SIZE_P[u])[:n] for u in (True, False)}
        size = np.where(urban, sizes[True], sizes[False])
        htype = np.zeros(n, dtype=np.int64)
        u = rng.random(BLOCK)[:n]
        for s in range(1, 7):
            idx = np.flatnonzero(self.type_size == s)
            cum = np.cumsum([_TYPES[i][1] for i in idx])
            pick = np.searchsorted(cum / cum[-1], u, side="right").clip(max=len(idx) - 1)
            htype = np.where(size == s, idx[pick], htype)
        p = self._members(rng, htype)
        m = len(p["hh"])
        p["idx"] = self.next_person + np.arange(m, dtype=np.int64)
        self.next_person += m
        p["town"], p["urban"] = town[p["hh"]], urban[p["hh"]]
        p["size"] = np.bincount(p["hh"], minlength=n)[p["hh"]]
        self._birth_and_ids(p)
        self._names_and_phones(rng, p)
        self._health(rng, p)
        poor = self._poverty(rng, p, n, htype, urban)
        p["poor"] = poor[p["hh"]]
        self._activity(rng, p)
        incomes = self._incomes(rng, p, n, urban)
        persons = self._person_frame(p, first)
        assets, dwelling = self._assets(rng, p, n, urban, poor, first)
        households = self._households(rng, p, persons, n, town, urban, first, dwelling)
        return Chunk(households, persons.select(list(PERSON_SCHEMA)), incomes, assets)

    def _members(self, rng, htype) -> dict:
        """Relation, age and gender of every member, grouped by household, head first."""
        n = len(htype)
        parts = []
        for t, (_size, _w, (lo, hi), shape, male_p, others) in enumerate(_TYPES):
            h = np.flatnonzero(htype == t)
            k = len(h)
            x = rng.beta(1.0, 1.9, k) if shape == "old" else rng.random(k)
            head_age = lo + (hi - lo) * x
            head_male = rng.random(k) < male_p
            parts.append((h, 0, R["head"], head_age, head_male))
            n_parents = others.count("parent")
            for slot, rel in enumerate(others, start=1):
                if rel == "spouse":
                    age = np.clip(head_age - rng.normal(1.5, 3.0, k), 18, 100)
                    male = ~head_male
                elif rel in ("child", "other", "grandchild"):
                    gap_lo, gap_hi = (44, 62) if rel == "grandchild" else (20 if rel == "child" else 22, 38)
                    top = np.minimum(gap_hi, head_age - 0.01)
                    low = np.minimum(gap_lo, top)
                    age = head_age - (low + (top - low) * rng.random(k))
                    male = rng.random(k) < {"child": 0.515, "other": 0.2, "grandchild": 0.52}[rel]
                else:  # parent: with two, a father and a mother; alone, more often a mother
                    age = np.minimum(head_age + rng.uniform(22, 34, k), 100 - rng.random(k) * 4)
                    if n_parents == 2:
                        male = np.full(k, others.index("parent") == slot - 1)
                    else:
                        male = rng.random(k) < 0.35
                parts.append((h, slot, R[rel], age, male))
        hh = np.concatenate([q[0] for q in parts])
        slot = np.concatenate([np.full(len(q[0]), q[1]) for q in parts])
        order = np.lexsort((slot, hh))
        out = {
            "hh": hh[order],
            "relation": np.concatenate([np.full(len(q[0]), q[2]) for q in parts])[order],
            "age_years": np.clip(np.concatenate([q[3] for q in parts])[order], 0, 104.5),
            "male": np.concatenate([q[4] for q in parts])[order].astype(bool),
        }
        out["head_row"] = np.searchsorted(out["hh"], np.arange(n))
        out["htype"] = htype[out["hh"]]
        return out

    def _birth_and_ids(self, p) -> None:
        birth = np.datetime64(self.as_of, "D") - np.floor(p["age_years"] * 365.2425).astype(np.int64)
        y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        mo = (birth.astype("datetime64[M]") - birth.astype("datetime64[Y]")).astype(np.int64) + 1
        d = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
        a = self.as_of
        p["birth"] = birth
        p["age"] = a.year - y - ((a.month < mo) | ((a.month == mo) & (a.day < d)))
        # Age on 1 September of the school year (school stages go by it).
        sy = a.year if a.month >= 9 else a.year - 1
        p["school_age"] = sy - y - ((mo > 9) | ((mo == 9) & (d > 1)))
        # Sequence: a counter per (county, birth date, gender) carried over the whole run.
        county = self.town_county[p["town"]]
        seq = np.zeros(len(birth), dtype=np.int64)
        for c, counter in self.id_counters.items():
            rows = np.flatnonzero(county == c)
            if not len(rows):
                continue
            key = (birth[rows] - self.epoch).astype(np.int64) * 2 + p["male"][rows]
            order = np.argsort(key, kind="stable")
            ks = key[order]
            starts = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1]
            rank = np.arange(len(ks)) - np.repeat(starts, np.diff(np.r_[starts, len(ks)]))
            seq[rows[order]] = counter[ks] + rank
            np.add.at(counter, ks, 1)
        if seq.max(initial=0) >= 499:
            raise ValueError("more than 499 persons of one gender born on one day in one county")
        body = county * 10**11 + (y * 10000 + mo * 100 + d) * 1000 + seq * 2 + np.where(p["male"], 1, 2)
        weights = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
        digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
        p["id_body"] = body
        p["id_check"] = (digits @ weights) % 11

    def _names_and_phones(self, rng, p) -> None:
        m, rel = len(p["hh"]), p["relation"]
        own = rng.choice(len(SURNAMES), size=m, p=SURNAME_P)
        head_surname = own[p["head_row"][p["hh"]]]
        u = rng.random(m)
        inherit = (
            (np.isin(rel, (R["child"], R["grandchild"])) & (u < 0.9))
            | ((rel == R["parent"]) & p["male"])
            | (rel == R["sibling"])
        )
        p["surname"] = np.where(inherit, head_surname, own)
        young = p["birth"] >= np.datetime64("1985-01-01")
        two = rng.random(m) < np.where(young, 0.85, 0.7)
        c1, c2 = rng.random(m), rng.random(m)
        given1 = np.zeros(m, dtype=np.int64)
        given2 = np.zeros(m, dtype=np.int64)
        for (g, era), arr in _GIVEN_INDEX.items():
            rows = np.flatnonzero((p["male"] == (g == "M")) & (young == (era == "young")))
            # The first characters of each list are the commoner ones.
            given1[rows] = arr[(len(arr) * c1[rows] ** 1.6).astype(np.int64)]
            given2[rows] = arr[(len(arr) * c2[rows] ** 1.3).astype(np.int64)]
        p["given1"], p["given2"] = given1, np.where(two, given2, 0)
        age = p["age"]
        p["has_phone"] = (age >= 14) & (rng.random(m) < np.where(age >= 80, 0.55, 0.93))
        p["phone_prefix"] = rng.integers(0, len(_MOBILE), m)
        p["phone_rest"] = rng.integers(0, 10**8, m)

    def _health(self, rng, p) -> None:
        m, age = len(p["hh"]), p["age"]
        dis_p = np.select(
            [age < 15, age < 45, age < 60, age < 70, age < 80], [0.013, 0.038, 0.07, 0.11, 0.16], 0.27
        )
        disabled = rng.random(m) < dis_p
        kind = rng.choice(len(DISABILITY_KINDS), size=m, p=DISABILITY_WEIGHTS)
        grade = rng.choice(4, size=m, p=DISABILITY_GRADE_WEIGHTS) + 1
        p["disability_kind"] = np.where(disabled, kind, 0)
        p["disability_grade"] = np.where(disabled, grade, 0)  # 0: none
        ill = rng.random(m) < np.select([age < 15, age < 45, age < 60], [0.004, 0.006, 0.018], 0.036)
        illness = rng.choice(len(ILLNESSES), size=m, p=[w for _, w in ILLNESSES])
        p["illness"] = np.where(ill, illness + 1, 0)  # 0: none
        severe = disabled & (grade <= 2)
        # Self-care (0 full, 1 partly, 2 not at all): the worst of age, disability, illness.
        u = rng.random((3, m))
        by_age = np.select(
            [age >= 80, age >= 60], [np.digitize(u[0], [0.68, 0.9]), np.digitize(u[0], [0.91, 0.98])], 0
        )
        by_dis = np.select(
            [disabled & (grade == 1), disabled & (grade == 2), disabled & (grade == 3)],
            [np.digitize(u[1], [0.25, 0.65]), np.digitize(u[1], [0.5, 0.88]), np.digitize(u[1], [0.85])],
            0,
        )
        by_ill = np.where(ill, np.digitize(u[2], [0.67, 0.92]), 0)
        p["self_care"] = np.maximum(np.maximum(by_age, by_dis), by_ill)
        # Labour capacity (0 full, 1 partly lost, 2 none): age, disability, illness.
        labour = np.select([age < 16, age >= 70, age >= 60], [2, 2, 1], 0)
        labour = np.maximum(labour, np.where(severe, 2, np.where(disabled, 1, 0)))
        labour = np.maximum(labour, np.where(ill, np.where(rng.random(m) < 0.5, 2, 1), 0))
        p["labour"] = np.maximum(labour, np.where(p["self_care"] == 2, 2, 0))
        p["severe"] = severe

    def _poverty(self, rng, p, n, htype, urban) -> np.ndarray:
        """Which households live below the dibao standard: a risk score per household, scaled
        so that the expected share of the block's persons in them is POOR_TARGET."""
        hh = p["hh"]
        size = np.bincount(hh, minlength=n)
        elderly_only = np.bincount(hh, weights=p["age"] < 60, minlength=n) == 0
        severe = np.bincount(hh, weights=p["severe"], minlength=n) > 0
        ill = np.bincount(hh, weights=p["illness"] > 0, minlength=n) > 0
        risk = (
            np.where(urban, 1.0, 1.7)
            * np.where(elderly_only, 2.2, 1.0)
            * np.where(severe, 3.5, 1.0)
            * np.where(ill, 3.5, 1.0)
            * np.where(np.isin(htype, list(_SINGLE_PARENT)), 3.0, 1.0)
            * np.where(size >= 5, 0.7, 1.0)
        )
        prob = risk * (POOR_TARGET * size.sum() / (risk * size).sum())
        return rng.random(n) < np.minimum(prob, 0.9)

    def _activity(self, rng, p) -> None:
        """School stage, employment status and whether a capable supporter exists."""
        m, age, sa, poor, urban = len(p["hh"]), p["age"], p["school_age"], p["poor"], p["urban"]
        u = rng.random(m)
        school = np.select(
            [
                (sa >= 3) & (sa <= 5) & (u < 0.9),
                (sa >= 6) & (sa <= 11) & (u < 0.995),
                (sa >= 12) & (sa <= 14) & (u < 0.99),
                (sa >= 15) & (sa <= 17) & (u < 0.56),
                (sa >= 15) & (sa <= 17) & (u < 0.93),
                (sa >= 18) & (sa <= 21) & (u < np.where(urban, 0.62, 0.45)),
                (sa >= 22) & (sa <= 24) & (u < 0.07),
            ],
            [1, 2, 3, 4, 5, 6, 7],
            0,
        )
        # Severe intellectual, mental or multiple disability: out of school after 15.
        p["school"] = np.where(p["severe"] & (p["disability_kind"] >= 5) & (sa >= 15), 0, school)
        retire_age = np.where(p["male"], 60, 55)
        u = rng.random(m)
        work = np.where(
            poor,
            np.digitize(u, np.cumsum([0.06, 0.34, 0.38])),
            np.where(
                urban,
                np.digitize(u, np.cumsum([0.74, 0.12, 0.05])),
                np.digitize(u, np.cumsum([0.42, 0.42, 0.04])),
            ),
        )  # 0 employed, 1 flexible, 2 unemployed, 3 none
        work = np.where(work == 3, E["none"], work)
        old = np.where(
            poor,
            np.select([u < 0.08, (u < 0.13) & (age < 70)], [E["retired"], E["flexible"]], E["none"]),
            np.where(
                urban,
                np.select([u < 0.88, (u < 0.96) & (age < 70)], [E["retired"], E["employed"]], E["none"]),
                np.select([u < 0.22, (u < 0.42) & (age < 75)], [E["retired"], E["flexible"]], E["none"]),
            ),
        )
        status = np.select([age >= retire_age, age >= 16], [old, work], E["none"])
        status = np.where(p["school"] >= 2, E["student"], status)
        unable = (p["labour"] == 2) & ~np.isin(status, (E["retired"], E["student"]))
        p["employment"] = np.where(unable, E["none"], status)
        alone = p["size"] == 1
        p["supporter"] = ~(alone & ((age >= 60) | p["severe"]) & (rng.random(m) < 0.3))

    def _incomes(self, rng, p, n, urban) -> pl.DataFrame:
        m, st, age, hh, head = len(p["hh"]), p["employment"], p["age"], p["hh"], p["head_row"]
        pu, poor_p = p["urban"], p["poor"]
        poor = np.zeros(n, dtype=bool)
        poor[hh] = poor_p
        std = np.where(urban, self.standards["urban"], self.standards["rural"]).astype(float)
        size = np.bincount(hh, minlength=n)
        emp, flex, retired = st == E["employed"], st == E["flexible"], st == E["retired"]
        it = {k: np.zeros(m) for k in _ITEMS}
        shop = flex & pu & (rng.random(m) < 0.25)
        side_job = flex & ~pu & (rng.random(m) < 0.3)
        it["wages"] = (
            np.where(emp, _lognormal(rng, np.where(pu, 5800, 4200), 0.45, m), 0)
            + np.where(flex & pu & ~shop, _lognormal(rng, 3500, 0.5, m), 0)
            + np.where(side_job, _lognormal(rng, 1500, 0.5, m), 0)
        )
        it["business"] = np.where(shop, _lognormal(rng, 4500, 0.6, m), 0) + np.where(
            flex & ~pu, _lognormal(rng, 2600, 0.6, m), 0
        )
        benefit = (st == E["unemployed"]) & (rng.random(m) < 0.35)
        support = (age >= 60) & ~retired & (rng.random(m) < 0.45)
        it["transfer"] = (
            np.where(benefit, _lognormal(rng, 1850, 0.15, m), 0)
            + np.where(retired, _lognormal(rng, np.where(pu, 3600, 2600), 0.3, m), 0)
            + np.where(support, _lognormal(rng, 800, 0.5, m), 0)
        )
        rent = ~poor & (rng.random(n) < 0.07)
        it["property"][head] = np.where(rent, _lognormal(rng, 1800, 0.5, n), 0)
        # A poor household: its counted income is a share of the standard, spread over its
        # adults as low wages, a little farming, or support from relatives.
        share = np.where(rng.random(n) < 0.1, 0.0, rng.beta(2.0, 1.5, n) * 0.95)
        adult = (age >= 16) & (st != E["student"])
        weight = np.where(adult, rng.exponential(1.0, m), 0)
        weight[head] = np.where(weight[head] > 0, weight[head], 1.0)
        amount = (share * std * size)[hh] * weight / np.bincount(hh, weights=weight, minlength=n)[hh]
        for k in ("wages", "business", "transfer", "property"):
            it[k] = np.where(poor_p, 0.0, it[k])
        it["wages"] += np.where(poor_p & (emp | (flex & pu)), amount, 0)
        it["business"] += np.where(poor_p & flex & ~pu, amount, 0)
        it["transfer"] += np.where(poor_p & ~emp & ~flex, amount, 0)
        cents = {k: _cents(v) for k, v in it.items()}
        # A household that is not poor is not below the standard either: what it lacks comes
        # from more work (the first earner's wages) or from relatives.
        counted = self._counted(cents, hh, n)
        short = ~poor & (counted < std * size * 102)
        gap = np.where(short, std * size * rng.uniform(1.03, 2.2, n) - counted / 100, 0)
        first_earner = _group_first(np.where(emp | flex, np.arange(m), m), head, m)
        to_wage = short & (first_earner < m)
        cents["wages"][first_earner[to_wage]] += _cents(gap[to_wage] / (1 - EMPLOYMENT_COST_RATE))
        to_relatives = short & (first_earner >= m)
        cents["relatives"][head[to_relatives]] += _cents(gap[to_relatives])
        # Kinds that are not counted.
        cents["pension_basic"] = _cents(
            np.where((age >= 60) & ~retired, _lognormal(rng, np.where(pu, 560, 260), 0.15, m), 0)
        )
        cents["special_care"] = _cents(
            np.where((age >= 50) & (rng.random(m) < 0.004), _lognormal(rng, 1500, 0.3, m), 0)
        )
        cents["family_planning"] = _cents(np.where(~pu & (age >= 60) & (rng.random(m) < 0.12), 100.0, 0))
        cents["award"] = _cents(
            np.where((p["school"] >= 6) & (rng.random(m) < 0.04), rng.uniform(300, 700, m), 0)
        )
        cents["disability_allowance"] = _cents(np.where(p["severe"], _lognormal(rng, 150, 0.2, m), 0))
        # Most poor households already receive dibao (the gap to the standard, to the head);
        # the others are the omissions that proactive discovery looks for.
        counted = self._counted(cents, hh, n)
        on_dibao = poor & (rng.random(n) < 0.6)
        cents["dibao"][head[on_dibao]] = (np.ceil(np.maximum(std * size - counted / 100, 0)) * 100)[
            on_dibao
        ].astype(np.int64)
        return self._income_frame(p, cents)

    @staticmethod
    def _counted(cents, hh, n) -> np.ndarray:
        per_member = counted_income_cents(
            cents["wages"], cents["business"], cents["property"], cents["transfer"] + cents["relatives"]
        )
        return np.bincount(hh, weights=per_member, minlength=n)

    def _income_frame(self, p, cents) -> pl.DataFrame:
        end = date(self.as_of.year, self.as_of.month, 1) - timedelta(days=1)
        start = date(end.year - 1 + end.month // 12, end.month % 12 + 1, 1)
        st = p["employment"]
        # Notes that depend on the person: (table, index per person).
        notes = {
            "wages": (("工资薪金", "灵活就业劳务收入"), st == E["flexible"]),
            "business": (("种养殖经营净收入", "个体经营净收入"), p["urban"]),
            "transfer": (
                ("赡养费", "基本养老金（职工）", "失业保险金", "亲属资助"),
                np.select([st == E["retired"], st == E["unemployed"], p["age"] < 60], [1, 2, 3], 0),
            ),
        }
        frames = []
        for name, c in cents.items():
            rows = np.flatnonzero(c > 0)
            kind, note = _ITEMS[name]
            table, which = notes.get(name, ((note,), np.zeros(len(st), dtype=np.int64)))
            frames.append(
                pl.DataFrame({"person_idx": p["idx"][rows], "monthly_amount_cents": c[rows]}).with_columns(
                    kind=pl.lit(kind), note=_strs(table, which[rows])
                )
            )
        return (
            pl.concat(frames)
            .sort("person_idx", maintain_order=True)
            .with_columns(source=pl.lit("self_declared"), period_start=pl.lit(start), period_end=pl.lit(end))
            .select(list(INCOME_SCHEMA))
        )

    def _person_frame(self, p, first) -> pl.DataFrame:
        illnesses = ("", *(name for name, _ in ILLNESSES))
        return pl.DataFrame(
            {
                "idx": p["idx"],
                "household_idx": first + p["hh"],
                "relation": _strs(RELATIONS, p["relation"]),
                "id_body": p["id_body"],
                "id_check": _strs("10X98765432", p["id_check"]),
                "surname": _strs(SURNAMES, p["surname"]),
                "given1": _strs(GIVEN_CHARS, p["given1"]),
                "given2": _strs(GIVEN_CHARS, p["given2"]),
                "gender": _strs(("F", "M"), p["male"]),
                "birth_date": p["birth"],
                "has_phone": p["has_phone"],
                "phone_prefix": _strs(_MOBILE, p["phone_prefix"]),
                "phone_rest": p["phone_rest"],
                "labour_capacity": _strs(LABOUR, p["labour"]),
                "disability_kind": _strs(DISABILITY_KINDS, p["disability_kind"]),
                "grade": p["disability_grade"],
                "serious_illness": _strs(illnesses, p["illness"]),
                "self_care": _strs(SELF_CARE, p["self_care"]),
                "school_stage": _strs(SCHOOL, p["school"]),
                "employment_status": _strs(EMPLOYMENT, p["employment"]),
                "has_capable_supporter": p["supporter"],
            }
        ).with_columns(
            id_number=pl.col("id_body").cast(pl.Utf8) + pl.col("id_check"),
            name=pl.concat_str("surname", "given1", "given2"),
            phone=pl.when("has_phone")
            .then(pl.col("phone_prefix") + pl.col("phone_rest").cast(pl.Utf8).str.zfill(8))
            .otherwise(pl.lit("")),
            disability_grade=pl.when(pl.col("grade") > 0).then(pl.col("grade")).cast(pl.Int16),
        )

    def _households(self, rng, p, persons, n, town, urban, first, dwelling_cents) -> pl.DataFrame:
        # Codes: D + the town's 9-digit code + a sequence per town over the whole run.
        seq = np.zeros(n, dtype=np.int64)
        for t in np.unique(town):
            rows = np.flatnonzero(town == t)
            seq[rows] = self.household_seq[t] + 1 + np.arange(len(rows))
            self.household_seq[t] += len(rows)
        comm = self.comm_offset[town] + (rng.random(n) * self.comm_count[town]).astype(np.int64)
        # The household's phone: the head's, else the first member with one.
        m, head = len(p["hh"]), p["head_row"]
        phone_row = _group_first(np.where(p["has_phone"], np.arange(m), m), head, 0)
        phone_row = np.where(phone_row < m, phone_row, head)
        addr = rng.integers((0, 1, 1, 1, 1, 1, 1), (len(_ROADS), 400, 30, 5, 19, 5, 13), size=(n, 7)).T
        city = pl.lit(self.city_name)
        street_address = pl.concat_str(
            city, "town_name", "road", "no", pl.lit("号"), "building", pl.lit("栋"), "unit", pl.lit("单元"),
            "floor", pl.col("room").cast(pl.Utf8).str.zfill(2), pl.lit("室"),
        )  # fmt: skip
        village_address = pl.concat_str(
            city, "town_name", "community", "group", pl.lit("组"), "no", pl.lit("号")
        )
        return (
            pl.DataFrame(
                {
                    "idx": first + np.arange(n, dtype=np.int64),
                    "division": _strs(self.town_division, town),
                    "seq": seq,
                    "town_code": _strs([t.code for t in self.towns], town),
                    "town_name": _strs(self.town_name, town),
                    "community": _strs(self.comm_name, comm),
                    "comm_code": _strs(self.comm_code, comm),
                    "urban": urban,
                    "road": _strs(_ROADS, addr[0]),
                    **dict(zip(("no", "building", "unit", "floor", "room", "group"), addr[1:], strict=True)),
                    "phone": persons["phone"].gather(phone_row),
                    "dwelling_area_cents": dwelling_cents,
                }
            )
            .with_columns(
                code=pl.lit(DEMO_CODE_PREFIX) + pl.col("division") + pl.col("seq").cast(pl.Utf8).str.zfill(6),
                division_code=pl.col("division") + pl.col("comm_code"),
                area=pl.when("urban").then(pl.lit("urban")).otherwise(pl.lit("rural")),
                address=pl.when("urban").then(street_address).otherwise(village_address),
            )
            .select(list(HOUSEHOLD_SCHEMA))
        )

    def _assets(self, rng, p, n, urban, poor, first) -> tuple[pl.DataFrame, np.ndarray]:
        """Each household's assets, and the floor area (cents of m²) of the home it lives in."""
        size = np.bincount(p["hh"], minlength=n)
        u = rng.random((8, n))
        # Housing: most own the home they live in; some own another.
        owns = u[0] < np.where(poor, np.where(urban, 0.45, 0.85), np.where(urban, 0.82, 0.93))
        home = np.where(
            urban,
            np.clip(_lognormal(rng, np.where(poor, 55, 92), 0.3, n), 28, 260),
            np.clip(_lognormal(rng, np.where(poor, 90, 140), 0.3, n), 40, 320),
        ).round(2)
        rented = np.where(
            urban,
            np.clip(_lognormal(rng, 50, 0.35, n), 15, 150),
            np.clip(_lognormal(rng, 70, 0.3, n), 20, 150),
        ).round(2)
        price = np.where(urban, _lognormal(rng, 15000, 0.25, n), _lognormal(rng, 1800, 0.3, n))
        second = owns & (u[1] < np.where(poor, 0.02, np.where(urban, 0.18, 0.06)))
        second_area = np.clip(_lognormal(rng, 80, 0.3, n), 30, 200).round(2)
        # Savings, deposits, wealth products (a household total); a few poor households hold
        # more than the asset test allows.
        savings = np.where(
            poor,
            np.where(
                u[2] < 0.08, _lognormal(rng, 60000, 0.5, n), _lognormal(rng, 2500, 1.0, n) * np.sqrt(size)
            ),
            _lognormal(rng, np.where(urban, 80000, 40000), 1.1, n),
        )
        # Vehicles: cars; for poor households mostly tricycles or a disability carriage.
        vehicle = u[3] < np.where(poor, 0.06, np.where(urban, 0.48, 0.35))
        cheap = poor & (u[4] < 0.85)
        severe = np.bincount(p["hh"], weights=p["severe"], minlength=n) > 0
        purpose = np.where(cheap, np.where(severe & (u[5] < 0.5), 2, 1), 0)  # other, livelihood, disability
        car = np.where(
            cheap, np.minimum(_lognormal(rng, 9000, 0.5, n), 30000), _lognormal(rng, 90000, 0.6, n)
        )
        van = ~poor & ~urban & (u[6] < 0.05)
        business = u[7] < np.where(poor, 0.005, np.where(urban, 0.05, 0.03))
        company = business & ~poor & (rng.random(n) < 0.3)
        capital = np.where(
            company,
            _lognormal(rng, 500000, 1.0, n),
            np.minimum(_lognormal(rng, 50000, 0.8, n), np.where(poor, 60000, np.inf)),
        )
        put = _AssetFrames(first + np.arange(n, dtype=np.int64), p["idx"][p["head_row"]])
        put(np.ones(n, bool), "financial", savings, ("家庭成员存款、理财等金融资产合计",), owner=False)
        put(owns, "house", home * price, ("自建房（宅基地，现住房）", "住宅（现住房）"), urban, area=home)
        put(second, "house", second_area * price, ("住宅（另有一套）",), area=second_area)
        put(
            vehicle,
            "vehicle",
            car,
            ("小型轿车", "三轮摩托车", "残疾人机动轮椅车"),
            purpose,
            purposes=_PURPOSES,
        )
        put(van, "vehicle", _lognormal(rng, 35000, 0.4, n), ("轻型货车",), purposes=("livelihood",))
        put(business, "business", capital, ("个体工商户（资金数额）", "有限责任公司（注册资本）"), company)
        assets = put.frame().with_columns(source=pl.lit("self_declared"), as_of=pl.lit(self.as_of))
        return assets.select(list(ASSET_SCHEMA)), _cents(np.where(owns, home, rented))


_PURPOSES = ("other", "livelihood", "disability")


class _AssetFrames:
    """Collects assets of one kind at a time: which households have one, its value (whole
    yuan), its description (and vehicle purpose) chosen by an index, floor area, owner."""

    def __init__(self, households: np.ndarray, heads: np.ndarray):
        self.households, self.heads = households, heads
        self.frames: list[pl.DataFrame] = []

    def __call__(self, mask, kind, value, descriptions, which=None, *, area=None, owner=True, purposes=("",)):
        rows = np.flatnonzero(mask)
        which = (
            np.zeros(len(rows), dtype=np.int64) if which is None else np.asarray(which, dtype=np.int64)[rows]
        )
        self.frames.append(
            pl.DataFrame(
                {
                    "household_idx": self.households[rows],
                    "person_idx": pl.Series(
                        self.heads[rows] if owner else [None] * len(rows), dtype=pl.Int64
                    ),
                    "value_cents": _yuan_cents(value[rows]),
                    "floor_area_cents": pl.Series(
                        _cents(area[rows]) if area is not None else [None] * len(rows), dtype=pl.Int64
                    ),
                    "vehicle_purpose": _strs(purposes, which if len(purposes) > 1 else np.zeros_like(which)),
                    "description": _strs(descriptions, which),
                }
            ).with_columns(kind=pl.lit(kind))
        )

    def frame(self) -> pl.DataFrame:
        return pl.concat(self.frames).sort("household_idx", maintain_order=True)


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
