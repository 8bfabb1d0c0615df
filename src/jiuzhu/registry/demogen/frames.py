"""Turning a block's drawn members into polars frames: incomes, persons, households, assets."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from .tables import (
    _ITEMS,
    _MOBILE,
    _ROADS,
    ASSET_SCHEMA,
    DEMO_CODE_PREFIX,
    DISABILITY_KINDS,
    EMPLOYMENT,
    GIVEN_CHARS,
    HOUSEHOLD_SCHEMA,
    ILLNESSES,
    INCOME_SCHEMA,
    LABOUR,
    RELATIONS,
    SCHOOL,
    SELF_CARE,
    SURNAMES,
    E,
    _cents,
    _group_first,
    _lognormal,
    _strs,
    _yuan_cents,
    counted_income_cents,
)


class _Frames:
    """The generator's steps that turn drawn members into frames (incomes, persons, households,
    assets); mixed into ``_Generator``, whose state (``as_of``, towns, communities) they read."""

    # set by ``_Generator.__init__``
    as_of: date
    city_name: str
    towns: list
    town_name: list[str]
    town_division: list[str]
    comm_name: list[str]
    comm_code: list[str]
    comm_offset: np.ndarray
    comm_count: np.ndarray
    household_seq: np.ndarray

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
            city,
            "town_name",
            "road",
            "no",
            pl.lit("号"),
            "building",
            pl.lit("栋"),
            "unit",
            pl.lit("单元"),
            "floor",
            pl.col("room").cast(pl.Utf8).str.zfill(2),
            pl.lit("室"),
        )
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
