"""Synthetic person records with known truth, for tests and the quality benchmark.

``persons(n)`` makes about ``n`` records of a Chinese city's residents living in households
(shared surname, address and sometimes phone; twins with consecutive ID numbers — the hard
negatives), of whom ``dup_rate`` appear again in other records with the damage clerks and
other units' lists really show: homophone (张伟/章伟) and similar-shape (王/玉) name typos, a
dropped given-name character, transposed / one-digit-off / dropped ID digits, 15-digit IDs,
moved or abbreviated addresses, changed or mistyped phones, mistyped birth dates, missing
fields. ``persons(n, locale="en")`` does the same with Latin names and English addresses.

Every record carries ``person_id`` (the truth) and ``damage`` (what was done to it, ``;``
separated); ``id_damaged`` is true when its ID number is not the person's own 18 digits.
``link_pair(n)`` splits the same population into a clean register and a source list.
Pure Python + polars; no Django.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import polars as pl
from pypinyin import lazy_pinyin

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Surnames roughly in order of frequency (weights fall off as 1/rank^0.9).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦"
)
# Characters of given names, common first.
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文飞梅林鑫波斌宇浩凯健俊"
    "帆帅旭宁龙欣玲晶燕雪琳慧婷倩颖佳丹莉瑶怡雯菲蕾嘉琪晨阳亮成峰新海春荣德生金福民友志永云清"
    "凤芬珍美淑素香秋菊月小晓子思雨泽轩博睿涵梓一诗若可天振东家立兴宏光良才学发祥山仁义礼智信"
    "忠孝安卫兵琴娥彩君翠凡柏松岩毅宏昊然晴婉筱楠冰彤馨悦璐瑞鸿锋坤亚茂胜祥巧霖卓军武昌盛铭"
)
# Extra common characters used only as homophone replacements.
COMMON = (
    "为位维未尉唯方放访坊那纳拿民闽明名鸣铭命刚钢纲港洋阳扬杨样勇永涌咏泳艳燕雁宴彦杰洁结节捷"
    "娟涓鹃捐涛桃陶滔超朝潮巢秀绣修袖霞夏峡侠平评萍坪屏桂贵跪柜英鹰应樱莹华化花画话玉宇雨语"
    "兰蓝栏岚澜红宏洪虹鸿鹏朋蓬彭辉灰挥晖徽建健剑见渐国果过郭文闻温稳飞非菲妃梅美眉媚林琳霖"
    "临淋鑫欣新心馨波博伯柏斌彬宾滨浩豪皓昊凯楷恺锴俊骏峻君帆凡繁宁凝柠龙隆珑玲铃凌灵伶静晶"
    "精敬境雪学薛慧惠会汇婷庭亭霆倩茜谦佳家嘉加丹单耽莉利丽力立瑶遥尧姚谣怡宜仪颐雯菲蕾磊琪"
    "其奇淇齐晨辰臣尘成城诚承峰锋丰枫风春纯淳荣容蓉融德得福富复友有又志智芝致云芸韵运清青晴"
    "轻凤奉珍真贞祯芬纷分素苏诉香祥翔湘秋丘邱菊举局月悦越岳晓小笑孝子紫梓自思斯丝司泽则择"
    "轩宣萱睿瑞锐涵寒含函一依医诗施师若弱可克天田添振镇震东冬栋立力丽兴星杏光广良梁亮才财材"
    "发法山珊善仁人任义艺忆礼李理信欣忠中钟安岸卫伟兵冰彩菜翠萃毅逸益然燃婉晚筱晓楠南男彤童"
    "璐路露鹿坤昆亚雅茂贸胜盛圣卓桌武舞昌常"
)
# Pairs of characters that look alike (with different readings), as clerks misread them.
SHAPE_PAIRS = (
    "王玉 未末 己已 日曰 士土 大太 天夭 千干 午牛 贝见 晴睛 彬杉 明朋 军车 兵乒 秀季 梅海 平乎 "
    "金全 宇字 冰水 永水 林材 国图 荣劳 凤风 春椿 斌赋 鹏鸥 辉晖 俊浚 燕雁 晨晟 峰锋 玲岭 琴瑟 "
    "娟绢 婷停 倩债 佳桂 莉梨 艳绝 霞暇 洁浩 涛祷"
)
TOWNS = (
    "城东街道",
    "城西街道",
    "城南街道",
    "城北街道",
    "新华街道",
    "和平街道",
    "长安镇",
    "永宁镇",
    "青山镇",
    "白沙镇",
    "石桥镇",
    "柳河镇",
    "金田乡",
    "河口乡",
)
DIVISIONS = tuple(f"3299{i:02d}" for i in range(1, 15))
OUTSIDE = ("110101", "310104", "440305", "510107", "420106", "330106", "370102", "610113")
COMMUNITIES = "幸福 和谐 团结 光明 胜利 红星 朝阳 新村 花园 东风 建设 人民 文化 滨河 锦绣 春晖".split()
ROADS = "解放 人民 中山 建国 新华 和平 长江 黄河 南京 北京 文化 青年 工业 学府 滨江 望湖".split()

EN_FIRST_M = (
    "James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel "
    "Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy "
    "Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott"
).split()
EN_FIRST_F = (
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty "
    "Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah "
    "Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma"
).split()
EN_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Evans Turner"
).split()
EN_NICK = {
    "William": "Bill",
    "Robert": "Bob",
    "Richard": "Dick",
    "James": "Jim",
    "Michael": "Mike",
    "Elizabeth": "Liz",
    "Margaret": "Maggie",
    "Jennifer": "Jenny",
    "Thomas": "Tom",
    "Joseph": "Joe",
    "Katherine": "Kate",
    "Patricia": "Pat",
    "Daniel": "Dan",
    "Anthony": "Tony",
    "Deborah": "Debbie",
}
EN_STREETS = (
    "High Baker Church Station Victoria Green Manor Park Queen King Mill Kings New Grange "
    "Albert London Windsor Bridge Chester York Oak Elm Cedar Maple Pine"
).split()
EN_STREET_KIND = ("Street", "Road", "Lane", "Avenue", "Close", "Drive")
EN_STREET_ABBR = {"Street": "St", "Road": "Rd", "Lane": "Ln", "Avenue": "Ave", "Close": "Cl", "Drive": "Dr"}
EN_TOWNS = (
    "Springfield Riverside Fairview Kingston Ashford Milton Clifton Georgetown Franklin Bristol".split()
)


def check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of an ID number's first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def _zipf(items, s: float = 0.9):
    return list(items), [1 / (i + 1) ** s for i in range(len(items))]


def _homophones(chars: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for c in dict.fromkeys(chars):
        groups.setdefault(lazy_pinyin(c)[0], []).append(c)
    return {c: [o for o in g if o != c] for g in groups.values() for c in g if len(g) > 1}


class _Maker:
    def __init__(self, seed: int, locale: str):
        self.r = random.Random(seed)
        self.locale = locale
        self.surnames, self.surname_w = _zipf(dict.fromkeys(SURNAMES))
        self.given, self.given_w = _zipf(dict.fromkeys(GIVEN), 0.7)
        self.homophone = _homophones(SURNAMES + GIVEN + COMMON)
        self.shape: dict[str, list[str]] = {}
        for a, b in (tuple(p) for p in SHAPE_PAIRS.split()):  # each word is two characters
            if a != b:
                self.shape.setdefault(a, []).append(b)
                self.shape.setdefault(b, []).append(a)
        self.used_ids: set[str] = set()

    # --- people -------------------------------------------------------------------------
    def surname(self) -> str:
        if self.locale == "en":
            return self.r.choice(EN_LAST)
        return self.r.choices(self.surnames, self.surname_w)[0]

    def given_name(self, gender: str) -> str:
        r = self.r
        if self.locale == "en":
            return r.choice(EN_FIRST_M if gender == "M" else EN_FIRST_F)
        n = 1 if r.random() < 0.2 else 2
        return "".join(r.choices(self.given, self.given_w, k=n))

    def full_name(self, surname: str, given: str) -> str:
        return f"{given} {surname}" if self.locale == "en" else surname + given

    def id_number(self, birth: date, gender: str, division: str, seq: int | None = None) -> str:
        r = self.r
        for _ in range(50):
            n = r.randrange(500) if seq is None else seq
            order = n * 2 + (1 if gender == "M" else 0)
            body = f"{division}{birth:%Y%m%d}{order:03d}"
            number = body + check_char(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
            seq = None
        raise RuntimeError("could not make a unique ID number")

    def phone(self) -> str:
        r = self.r
        if self.locale == "en":
            return f"07{r.randrange(100, 999)} {r.randrange(100000, 999999)}"
        return f"1{r.choice('3456789')}{r.randrange(10**9):09d}"

    def address(self) -> tuple[str, str]:
        r = self.r
        if self.locale == "en":
            street = f"{r.choice(EN_STREETS)} {r.choice(EN_STREET_KIND)}"
            town = r.choice(EN_TOWNS)
            post = f"{town[:2].upper()}{r.randrange(1, 20)} {r.randrange(1, 9)}{r.choice('ABDEFGHJ')}{r.choice('LNPQRSTUWXYZ')}"
            return f"{r.randrange(1, 200)} {street}, {town}", post
        i = r.randrange(len(TOWNS))
        road = f"{r.choice(ROADS)}{r.choice('路街巷道')}"
        addr = (
            f"{TOWNS[i]}{r.choice(COMMUNITIES)}社区{road}{r.randrange(1, 300)}号"
            f"{r.randrange(1, 30)}栋{r.randrange(1, 6)}单元{r.randrange(1, 30)}{r.randrange(1, 5):02d}室"
        )
        return addr, f"3299{i + 10:02d}"

    def household(self, hid: int) -> list[dict]:
        """1–5 people: head, maybe spouse, children (sometimes twins), maybe an elder."""
        r = self.r
        addr, post = self.address()
        division = r.choice(DIVISIONS) if r.random() < 0.9 else r.choice(OUTSIDE)
        surname = self.surname()
        head_g = "M" if r.random() < 0.7 else "F"
        head_birth = date(1935, 1, 1) + timedelta(days=r.randrange(365 * 70))
        people = [self._person(surname, head_g, head_birth, division, addr, post, hid)]
        if r.random() < 0.7:  # spouse
            g = "F" if head_g == "M" else "M"
            b = head_birth + timedelta(days=r.randrange(-3 * 365, 3 * 365))
            people.append(self._person(self.surname(), g, b, r.choice(DIVISIONS), addr, post, hid))
        youngest_parent = max(p["_birth"] for p in people)
        for _ in range(r.choice((0, 0, 1, 1, 1, 2, 2, 3))):
            b = youngest_parent + timedelta(days=r.randrange(20 * 365, 38 * 365))
            if b > date(2024, 12, 31):
                continue
            g = r.choice("MF")
            kid = self._person(surname, g, b, division, addr, post, hid, shared_phone=people[0]["phone"])
            people.append(kid)
            if r.random() < 0.03:  # twins: same day, consecutive sequence number
                seq = (int(kid["id_number"][14:17]) // 2 + 1) % 500
                people.append(
                    self._person(surname, g, b, division, addr, post, hid, seq=seq, shared_phone=kid["phone"])
                )
        if r.random() < 0.1 and head_birth.year > 1960:  # an elderly parent lives with them
            b = head_birth - timedelta(days=r.randrange(20 * 365, 35 * 365))
            people.append(
                self._person(surname, "M" if r.random() < 0.4 else "F", b, division, addr, post, hid)
            )
        return people

    def _person(self, surname, gender, birth, division, addr, post, hid, seq=None, shared_phone=None):
        r = self.r
        given = self.given_name(gender)
        phone = shared_phone if shared_phone and r.random() < 0.3 else self.phone()
        return {
            "name": self.full_name(surname, given),
            "_surname": surname,
            "_given": given,
            "id_number": self.id_number(birth, gender, division, seq),
            "birth_date": birth.isoformat(),
            "_birth": birth,
            "gender": "男" if gender == "M" else "女",
            "phone": phone,
            "address": addr,
            "postcode": post,
            "household": hid,
        }

    # --- damage -------------------------------------------------------------------------
    def damage(self, rec: dict, *, damaged_id_rate: float) -> dict:
        """A copy of ``rec`` as another clerk or unit recorded it."""
        r = self.r
        out = dict(rec)
        done: list[str] = []
        if r.random() < damaged_id_rate:
            kind = r.choice(("id_transposed", "id_digit", "id_dropped", "id_15"))
            new = self._damage_id(out["id_number"], kind, rec["_birth"])
            if new != out["id_number"]:
                out["id_number"] = new
                done.append(kind)
        elif out["id_number"] and r.random() < 0.08:
            out["id_number"] = None
            done.append("id_missing")
        for _ in range(r.choice((1, 1, 2, 2, 3))):
            kind = r.choices(
                (
                    "name_homophone",
                    "name_shape",
                    "name_drop",
                    "name_spacing",
                    "address_moved",
                    "address_short",
                    "address_missing",
                    "phone_changed",
                    "phone_digit",
                    "phone_missing",
                    "birth_digit",
                    "birth_missing",
                ),
                (14, 8, 2, 3, 10, 6, 4, 10, 4, 5, 3, 4),
            )[0]
            if self._apply(out, kind, rec):
                done.append(kind)
        out["damage"] = ";".join(done)
        return out

    def _damage_id(self, number: str, kind: str, birth: date) -> str:
        r = self.r
        digits = list(number)
        if kind == "id_transposed":
            for _ in range(20):
                i = r.randrange(16)
                if digits[i] != digits[i + 1]:
                    digits[i], digits[i + 1] = digits[i + 1], digits[i]
                    break
        elif kind == "id_digit":
            i = r.randrange(17)
            digits[i] = r.choice([d for d in "0123456789" if d != digits[i]])
        elif kind == "id_dropped":
            del digits[r.randrange(17)]
        elif kind == "id_15" and birth.year < 2000:
            return number[:6] + number[8:17]
        return "".join(digits)

    def _apply(self, out: dict, kind: str, rec: dict) -> bool:
        r = self.r
        en = self.locale == "en"
        if kind.startswith("name") and out["name"] is None:
            return False
        if kind == "name_homophone":
            if en:
                given = rec["_given"]
                if given in EN_NICK and r.random() < 0.5:
                    out["name"] = out["name"].replace(given, EN_NICK[given])
                    return True
                out["name"] = _typo(r, out["name"])
                return True
            return self._swap_char(out, self.homophone)
        if kind == "name_shape":
            if en:
                parts = out["name"].split(" ")
                out["name"] = " ".join(reversed(parts))  # surname first
                return True
            return self._swap_char(out, self.shape)
        if kind == "name_drop":
            if en:
                out["name"] = _typo(r, out["name"], delete=True)
                return True
            if len(rec["_given"]) == 2 and out["name"] == rec["name"]:
                out["name"] = rec["_surname"] + rec["_given"][r.randrange(2)]
                return True
            return False
        if kind == "name_spacing":
            if en:
                out["name"] = out["name"].upper()
            else:
                out["name"] = out["name"][0] + " " + out["name"][1:]
            return True
        if kind == "address_moved":
            out["address"], out["postcode"] = self.address()
            return True
        if kind == "address_short" and out["address"]:
            if en:
                a = out["address"]
                for full, abbr in EN_STREET_ABBR.items():
                    a = a.replace(full, abbr)
                out["address"] = a.split(",")[0] if r.random() < 0.5 else a
            else:
                a = out["address"]
                out["address"] = (
                    a[a.index("社区") + 2 :] if "社区" in a and r.random() < 0.5 else a.split("栋")[0] + "栋"
                )
            return True
        if kind == "address_missing":
            out["address"] = None
            return True
        if kind == "phone_changed":
            out["phone"] = self.phone()
            return True
        if kind == "phone_digit" and out["phone"]:
            out["phone"] = _typo(r, out["phone"], digit=True)
            return True
        if kind == "phone_missing":
            out["phone"] = None
            return True
        if kind == "birth_digit" and out["birth_date"]:
            d = out["birth_date"]
            i = r.choice((2, 3, 5, 6, 8, 9))
            out["birth_date"] = d[:i] + str((int(d[i]) + r.choice((1, 2))) % 10) + d[i + 1 :]
            return True
        if kind == "birth_missing":
            out["birth_date"] = None
            return True
        return False

    def _swap_char(self, out: dict, table: dict[str, list[str]]) -> bool:
        name = out["name"]
        positions = [i for i, c in enumerate(name) if c in table]
        if not positions:
            return False
        i = self.r.choice(positions)
        out["name"] = name[:i] + self.r.choice(table[name[i]]) + name[i + 1 :]
        return True


def _typo(r: random.Random, s: str, *, delete: bool = False, digit: bool = False) -> str:
    idx = [i for i, c in enumerate(s) if (c.isdigit() if digit else c.isalpha())]
    if not idx:
        return s
    i = r.choice(idx)
    if digit:
        return s[:i] + r.choice([d for d in "0123456789" if d != s[i]]) + s[i + 1 :]
    if delete or i + 1 >= len(s) or not s[i + 1].isalpha():
        return s[:i] + s[i + 1 :]
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


PUBLIC = ["rec_id", "name", "id_number", "birth_date", "gender", "phone", "address", "postcode"]
TRUTH = ["person_id", "household", "damage", "id_damaged"]


def _frame(rows: list[dict], locale: str) -> pl.DataFrame:
    df = pl.DataFrame(
        [
            {
                k: row.get(k)
                for k in (
                    "name",
                    "id_number",
                    "birth_date",
                    "gender",
                    "phone",
                    "address",
                    "postcode",
                    "person_id",
                    "household",
                    "damage",
                    "_own_id",
                )
            }
            for row in rows
        ],
        schema={
            "name": pl.String,
            "id_number": pl.String,
            "birth_date": pl.String,
            "gender": pl.String,
            "phone": pl.String,
            "address": pl.String,
            "postcode": pl.String,
            "person_id": pl.Int64,
            "household": pl.Int64,
            "damage": pl.String,
            "_own_id": pl.String,
        },
    )
    df = df.with_columns(
        id_damaged=pl.col("id_number").is_not_null() & (pl.col("id_number") != pl.col("_own_id"))
    )
    if locale == "en":
        df = df.with_columns(gender=pl.col("gender").replace({"男": "M", "女": "F"}))
    return df.drop("_own_id")


def persons(
    n: int = 10_000,
    *,
    dup_rate: float = 0.2,
    damaged_id_rate: float = 0.5,
    seed: int = 1,
    locale: str = "zh",
) -> pl.DataFrame:
    """About ``n`` records; ``dup_rate`` of the people appear again (one or two more records),
    and ``damaged_id_rate`` of those extra records have a damaged ID number.

    Columns: rec_id, name, id_number, birth_date, gender, phone, address, postcode, and the
    truth: person_id, household, damage, id_damaged. Rows are shuffled.
    """
    if locale not in ("zh", "en"):
        raise ValueError("locale must be 'zh' or 'en'")
    maker = _Maker(seed, locale)
    rows: list[dict] = []
    pid = 0
    hid = 0
    while len(rows) < n:
        hid += 1
        for p in maker.household(hid):
            pid += 1
            if locale == "en":
                p["id_number"] = None  # English files here carry no national ID
            p.update(person_id=pid, damage="", _own_id=p["id_number"])
            rows.append(p)
            if maker.r.random() < dup_rate:
                for _ in range(1 if maker.r.random() < 0.8 else 2):
                    rows.append(maker.damage(p, damaged_id_rate=damaged_id_rate if locale == "zh" else 0))
    rows = rows[:n]
    maker.r.shuffle(rows)
    df = _frame(rows, locale)
    return df.with_row_index("rec_id", offset=1).with_columns(pl.col("rec_id").cast(pl.Int64))


def link_pair(
    n: int = 10_000, *, overlap: float = 0.5, damaged_id_rate: float = 0.5, seed: int = 2
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A clean register of about ``n`` people and a source list of about ``n`` records, of
    which ``overlap`` are register people recorded again with damage (the rest are strangers
    who share the city's surnames, addresses and birth years). Both have ``rec_id`` from 1
    (the same values on both sides) and the truth column ``person_id``.
    """
    maker = _Maker(seed, "zh")
    register: list[dict] = []
    pid = hid = 0
    while len(register) < n:
        hid += 1
        for p in maker.household(hid):
            pid += 1
            p.update(person_id=pid, damage="", _own_id=p["id_number"])
            register.append(p)
    register = register[:n]
    source = [
        maker.damage(p, damaged_id_rate=damaged_id_rate) for p in maker.r.sample(register, int(n * overlap))
    ]
    while len(source) < n:
        hid += 1
        for p in maker.household(hid):
            pid += 1
            p.update(person_id=pid, damage="", _own_id=p["id_number"])
            source.append(p)
    source = source[:n]
    maker.r.shuffle(source)
    left = (
        _frame(register, "zh")
        .with_row_index("rec_id", offset=1)
        .with_columns(pl.col("rec_id").cast(pl.Int64))
    )
    right = (
        _frame(source, "zh").with_row_index("rec_id", offset=1).with_columns(pl.col("rec_id").cast(pl.Int64))
    )
    return left, right


def true_pairs(df: pl.DataFrame, *, id_col: str = "rec_id") -> pl.DataFrame:
    """All (id_l, id_r) with id_l < id_r that are the same person in one file."""
    g = df.select(id_col, "person_id")
    pairs = g.join(g, on="person_id", suffix="_r").filter(pl.col(id_col) < pl.col(f"{id_col}_r"))
    return pairs.select(id_l=pl.col(id_col), id_r=pl.col(f"{id_col}_r"))


def true_links(left: pl.DataFrame, right: pl.DataFrame, *, id_col: str = "rec_id") -> pl.DataFrame:
    """All (id_l, id_r) that are the same person across the two files."""
    pairs = left.select(id_col, "person_id").join(
        right.select(id_col, "person_id"), on="person_id", suffix="_r"
    )
    return pairs.select(id_l=pl.col(id_col), id_r=pl.col(f"{id_col}_r"))
