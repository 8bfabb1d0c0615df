"""Property: the batch path gives every household the same eligibility and amount, to the
cent, as the rules called one household at a time — on random households whose figures sit
on and around the thresholds (standards of both years, 1.5 ×, asset limits, ages 16/18/55/
60/70, the 12-month and 6-month windows)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuzhu.policy import frames
from jiuzhu.policy.batch import evaluate_batch, to_long
from jiuzhu.policy.catalogue import load_policy
from jiuzhu.policy.facts import (
    Assets,
    DibaoStatus,
    DisasterFacts,
    House,
    HouseholdFacts,
    Income,
    InvalidFacts,
    MemberFacts,
    RigidExpenditure,
    TemporaryNeed,
    Vehicle,
)
from jiuzhu.policy.rules import evaluate

from .test_policy_file import DEMO

POLICY = load_policy(DEMO)
DATES = [date(2025, 1, 1), date(2025, 6, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 3, 1)]
EDGES = [
    "0",
    "0.01",
    "150",
    "299.99",
    "300",
    "300.01",
    "380",
    "475",
    "600",
    "759.99",
    "760",
    "799.99",
    "800",
    "899.99",
    "900",
    "949.99",
    "950",
    "950.01",
    "1140",
    "1200",
    "1350",
    "1424.99",
    "1425",
    "1500",
    "1725",
    "2000",
    "4199.99",
    "4200",
    "12000",
]
money = st.one_of(
    st.sampled_from([Decimal(x) for x in EDGES]),
    st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False),
)
small_money = st.one_of(st.just(Decimal(0)), money)
ages = st.one_of(
    st.sampled_from([0, 5, 15, 16, 17, 18, 30, 53, 54, 55, 59, 60, 61, 69, 70, 71, 85]), st.integers(0, 100)
)
when = st.one_of(
    st.none(),
    st.sampled_from(
        [
            date(2025, 3, 1),
            date(2025, 3, 2),
            date(2025, 8, 31),
            date(2025, 9, 1),
            date(2025, 9, 2),
            date(2025, 12, 31),
            date(2026, 2, 28),
            date(2026, 4, 1),
        ]
    ),
)


@st.composite
def members(draw, first: bool):
    kind = draw(
        st.sampled_from(["", "", "", "visual", "hearing", "physical", "intellectual", "mental", "multiple"])
    )
    capable = draw(st.booleans())
    birth = None
    age = draw(ages)
    if draw(st.booleans()):  # a birthday right around the date asked
        birth = date(2026, 3, 1) - timedelta(days=365 * age + draw(st.integers(-400, 400)))
        birth = max(birth, date(1900, 1, 1))
    return MemberFacts(
        relation="head" if first else draw(st.sampled_from(["spouse", "child", "parent", "other"])),
        birth_date=birth,
        age=None if birth else age,
        gender=draw(st.sampled_from(["M", "F", None])),
        labour_capacity=draw(st.sampled_from(["full", "full", "partial", "none"])),
        disability_kind=kind,
        disability_grade=draw(st.integers(1, 4)) if kind else None,
        serious_illness=draw(st.booleans()),
        self_care=draw(st.sampled_from(["full", "partial", "none"])),
        self_care_items_failed=draw(st.one_of(st.none(), st.integers(0, 6))),
        school_stage=draw(
            st.sampled_from(
                [
                    "",
                    "",
                    "preschool",
                    "primary",
                    "junior",
                    "senior",
                    "vocational",
                    "university",
                    "postgraduate",
                ]
            )
        ),
        university_entrant=draw(st.booleans()),
        employed=draw(st.booleans()),
        income=Income(
            wages=draw(small_money),
            business=draw(small_money),
            property=Decimal(0),
            transfer=draw(small_money),
            pension_basic=draw(st.sampled_from([Decimal(0), Decimal(150)])),
            excluded=draw(st.sampled_from([Decimal(0), Decimal(300)])),
        ),
        has_capable_supporter=capable,
        supporter_unable=None if capable else draw(st.sampled_from([None, "dibao_60", "none_exists"])),
        not_counted=None if first else draw(st.sampled_from([None, None, None, "prison"])),
        work_refusals=draw(st.integers(0, 4)),
        tekun_mode=draw(st.sampled_from(["dispersed", "institutional"])),
        in_tekun_support=draw(st.booleans()),
        orphan_support=draw(st.booleans()) and draw(st.booleans()),
        out_of_pocket=draw(st.sampled_from([Decimal(0), Decimal(0), Decimal("20000"), Decimal("333.33")])),
        medical_paid_this_year=draw(
            st.sampled_from([Decimal(0), Decimal("50000"), Decimal("60000"), Decimal("59999.99")])
        ),
        emergency_unpaid=draw(st.booleans()) and draw(st.booleans()),
    )


@st.composite
def households(draw):
    n = draw(st.integers(1, 5))
    ms = tuple(draw(members(i == 0)) for i in range(n))
    fin = draw(
        st.sampled_from(
            ["0", "18240", "18240.01", "21888", "22800", "22800.01", "45600", "45600.01", "90000"]
        )
    )
    return HouseholdFacts(
        area=draw(st.sampled_from(["urban", "rural"])),
        members=ms,
        assets=Assets(
            financial=Decimal(fin),
            vehicles=tuple(
                Vehicle(
                    draw(st.sampled_from([Decimal("30000"), Decimal("30000.01"), Decimal(5000)])),
                    draw(st.sampled_from(["disability", "livelihood", "other"])),
                )
                for _ in range(draw(st.integers(0, 2)))
            ),
            houses=tuple(
                House(draw(st.sampled_from([Decimal(30), Decimal("30.01"), Decimal(45), Decimal(15)])))
                for _ in range(draw(st.integers(0, 3)))
            ),
            business_capital=draw(st.sampled_from([Decimal(0), Decimal(100000), Decimal("100000.01")])),
            current_floor_area=draw(
                st.one_of(
                    st.none(),
                    st.sampled_from([Decimal(0), Decimal(15), Decimal(30), Decimal("44.99"), Decimal(45)]),
                )
            ),
        ),
        dibao_status=DibaoStatus(
            receiving=draw(st.booleans()),
            monthly_amount=draw(st.one_of(st.none(), st.just(Decimal("612.34")))),
            income_rose_on=draw(when),
            rose_through_employment=draw(st.booleans()),
        ),
        temporary=draw(
            st.one_of(
                st.none(),
                st.builds(
                    TemporaryNeed,
                    kind=st.sampled_from(["emergency", "expenditure"]),
                    cause=st.just("fire"),
                    amount=money,
                    last_same_cause_on=when,
                ),
            )
        ),
        disaster=draw(
            st.one_of(
                st.none(),
                st.builds(
                    DisasterFacts,
                    persons=st.integers(0, 6),
                    days=st.sampled_from([0, 1, 89, 90, 91]),
                    house_destroyed=st.booleans(),
                    winter_hardship=st.booleans(),
                ),
            )
        ),
        rigid_expenditure=RigidExpenditure(medical=draw(money), education=draw(small_money)),
        dwelling_unsafe=draw(st.booleans()),
        homeless=draw(st.booleans()) and draw(st.booleans()),
    )


def _single(facts, as_of):
    """Every service's (eligible, cents); a household with a fact impossible on ``as_of`` (a
    member born after it, an income rise or a last aid dated after it) is refused with its
    code and field instead (DOMAIN §3 rulings)."""
    try:
        results = evaluate(facts, as_of, POLICY)
    except InvalidFacts as exc:
        return {"refused": (exc.code, exc.field)}
    out = {
        r.service: (r.eligible, None if r.monthly_amount is None else int(r.monthly_amount * 100))
        for r in results
    }
    return out | {"refused": (None, None)}


def _batch(row):
    refused = (row["refused_code"], row["refused_field"])
    services = {s.code: (row[f"{s.code}_eligible"], row[f"{s.code}_amount"]) for s in POLICY.services}
    if refused[0] is not None:
        assert not any(e for e, _ in services.values())  # refused: eligible for nothing
        return {"refused": refused}
    return services | {"refused": refused}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(households(), min_size=1, max_size=12), st.sampled_from(DATES))
def test_batch_equals_single(hhs, as_of):
    out = evaluate_batch(frames.from_facts(hhs), as_of, POLICY)
    assert out.height == len(hhs)
    for row, facts in zip(out.iter_rows(named=True), hhs, strict=True):
        assert _batch(row) == _single(facts, as_of)


@settings(max_examples=25, deadline=None)
@given(st.lists(households(), min_size=1, max_size=5))
def test_frames_round_trip_and_long_form(hhs):
    ids = [10 * (i + 1) for i in range(len(hhs))][::-1]  # any ids, any order
    back = frames.to_facts(frames.from_facts(hhs, ids=ids))
    assert [back[i] for i in ids] == hhs
    out = evaluate_batch(
        frames.from_facts(hhs, ids=ids), date(2026, 3, 1), POLICY, services=["dibao", "tekun_dispersed"]
    )
    assert out["hh_id"].to_list() == ids
    long = to_long(out)
    assert long.height == 2 * len(hhs) and set(long["service"]) == {"dibao", "tekun_dispersed"}


def test_empty_frames():
    out = evaluate_batch(frames.from_facts([]), date(2026, 3, 1), POLICY)
    assert out.height == 0 and "dibao_eligible" in out.columns
