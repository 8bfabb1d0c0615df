"""The pure engine on hand-made frames: rules the database tests do not reach (the same need
paid by two units, towns and approvers far from the norm, coverage, charity double help), and
a clean city that raises nothing. No database."""

from datetime import date

import polars as pl

from jiuzhu.linkage.synth import check_char
from jiuzhu.screening.engine import Config, Inputs, screen

AS_OF = date(2026, 6, 15)
TOWNS = ["town_a", "town_b", "town_c", "town_d"]


def _id(i: int) -> str:
    body = f"329901{1950 + i % 50}0101{i % 1000:03d}"
    return body + check_char(body)


def city(n=80, *, amounts=None, low_income=None):
    """``n`` single-person households spread over four towns, each paid dibao ¥950 a month."""
    persons = pl.DataFrame(
        {
            "person_id": list(range(1, n + 1)),
            "id_number": [_id(i) for i in range(1, n + 1)],
            "name": [f"居民{i}" for i in range(1, n + 1)],
            "birth_date": [date(1950 + i % 50, 1, 1) for i in range(1, n + 1)],
            "household_id": list(range(1, n + 1)),
            "deceased_on": [None] * n,
        },
        schema_overrides={"deceased_on": pl.Date},
    )
    households = pl.DataFrame(
        {
            "household_id": list(range(1, n + 1)),
            "town": [TOWNS[i % 4] for i in range(n)],
            "area": ["urban"] * n,
            "size": [1] * n,
            "pc_income": [0] * n,
            "low_income": low_income or [True if i % 2 else None for i in range(n)],
        }
    )
    roster = pl.DataFrame(
        {
            "line_id": list(range(1, n + 1)),
            "person_id": list(range(1, n + 1)),
            "household_id": list(range(1, n + 1)),
            "service": ["dibao"] * n,
            "category": ["minimum_living"] * n,
            "unit": ["civil_affairs"] * n,
            "amount": amounts or [95000] * n,
            "period": ["month"] * n,
            "start": [date(2026, 1, 1)] * n,
            "end": [None] * n,
            "cause": [None] * n,
            "relative_registered": [False] * n,
        },
        schema_overrides={"end": pl.Date, "cause": pl.String},
    )
    return Inputs(persons=persons, households=households, roster=roster)


def add_lines(inp: Inputs, rows: list[dict]) -> Inputs:
    extra = pl.DataFrame(rows, schema=inp.roster.schema)
    inp.roster = pl.concat([inp.roster, extra])
    return inp


def run(inp, **cfg):
    alerts, _ = screen(inp, Config(as_of=AS_OF, fuzzy=False, **cfg))
    return alerts


def test_a_clean_city_raises_nothing():
    assert run(city()).height == 0


def test_same_need_paid_by_two_units():
    inp = add_lines(
        city(),
        [
            dict(
                line_id=900,
                person_id=3,
                household_id=3,
                service="worker_hardship",
                category="social",
                unit="trade_union",
                amount=50000,
                period="month",
                start=date(2026, 2, 1),
                end=None,
                cause=None,
                relative_registered=False,
            )
        ],
    )
    alerts = run(inp, need={"worker_hardship": "basic_living", "dibao": "basic_living"})
    assert alerts["rule"].to_list() == ["same_need_two_units"]
    assert alerts["unit"].to_list() == ["trade_union"] and alerts["person_id"].to_list() == [3]


def test_an_outlying_top_up_never_expects_a_negative_amount():
    inp = city()
    inp.households = inp.households.with_columns(
        pc_income=pl.when(pl.col("household_id") == 5).then(150000).otherwise(pl.col("pc_income"))
    )  # household 5's income is above what the group's top-ups reach
    rows = run(inp).filter(pl.col("rule") == "similar_households_amounts")
    assert rows["household_id"].to_list() == [5]
    summary = rows["summary"][0]
    assert "应约0.00元" in summary and "-" not in summary


def test_a_top_up_far_above_is_found_whatever_the_household_size():
    """The only four-person household pays ¥600 a member above the top-up to the standard: a
    group of one size would be too small to judge; per member it is compared with the area's
    households of every size (the three-person one at the standard stays silent)."""
    inp = city()
    sizes = {7: 4, 8: 3}
    inp.households = inp.households.with_columns(
        size=pl.col("household_id").replace_strict(sizes, default=1, return_dtype=pl.Int64)
    )
    amounts = {7: 4 * (95000 + 60000), 8: 3 * 95000}
    inp.roster = inp.roster.with_columns(
        amount=pl.col("household_id").replace_strict(amounts, default=95000, return_dtype=pl.Int64)
    )
    rows = run(inp).filter(pl.col("rule") == "similar_households_amounts")
    assert rows["household_id"].to_list() == [7]
    assert "应约3800.00元" in rows["summary"][0] and "按人均计" in rows["summary"][0]


def test_a_town_paying_far_above_the_city_is_flagged():
    amounts = [190000 if i % 4 == 1 else 95000 for i in range(80)]  # town_b pays twice as much
    alerts = run(city(amounts=amounts))
    rows = alerts.filter(pl.col("rule") == "town_amounts_off_norm")
    assert rows["unit"].to_list() == ["town_b"]


def test_an_approver_far_from_the_city_rate_is_flagged():
    inp = city()
    inp.decisions = pl.DataFrame(
        {
            "approver": ["wang"] * 20 + ["li"] * 20 + ["zhao"] * 20,
            "unit": ["town_a"] * 20 + ["town_b"] * 20 + ["town_c"] * 20,
            "service": ["dibao"] * 60,
            "approved": [True] * 20 + [i < 12 for i in range(20)] + [i < 13 for i in range(20)],
        }
    )
    alerts = run(inp)
    rows = alerts.filter(pl.col("rule") == "approver_rate_off_norm")
    assert rows["unit"].to_list() == ["town_a"] and "wang" in rows["summary"][0]


def test_a_town_covering_far_fewer_low_income_households_is_flagged():
    inp = city()
    # town_d pays almost nobody: its lines end before the screening month
    inp.roster = inp.roster.with_columns(
        end=pl.when((pl.col("household_id") % 4 == 0) & (pl.col("household_id") > 8)).then(
            pl.lit(date(2025, 3, 1))
        )
    )
    rows = run(inp).filter(pl.col("rule") == "town_coverage_off_norm")
    assert rows["unit"].to_list() == ["town_d"] and rows["kind"].to_list() == ["unfairness"]


def test_charity_paying_a_cost_already_paid_and_the_same_need_twice():
    inp = city()
    inp.charity = pl.DataFrame(
        {
            "charity_id": [1, 2, 3],
            "person_id": [5, 6, 6],
            "household_id": [5, 6, 6],
            "need": ["living", "medical", "medical"],
            "amount": [30000, 20000, 20000],
            "paid_on": [date(2026, 3, 10), date(2026, 2, 1), date(2026, 5, 1)],
            "partner_code": ["cf", "redcross", "redcross"],
        }
    )
    # household 5's dibao pays its living in March; the charity's ¥300 for living that month
    # (no cost stated: paid in full) is paid twice — compared by need, not by service code
    alerts = run(inp, need={"dibao": "living"})
    assert sorted(alerts["rule"].to_list()) == ["charity_covers_paid_cost", "charity_same_need_twice"]
    assert set(alerts["household_id"].to_list()) == {5, 6}


def test_a_second_registration_with_a_typo_and_a_homophone_is_linked():
    inp = city()
    p = inp.persons.row(9, named=True)
    n = p["id_number"]
    typo = n[:12] + n[13] + n[12] + n[14:]  # two digits swapped: the check character no longer fits
    inp.persons = pl.concat(
        [
            inp.persons,
            pl.DataFrame(
                [{**p, "person_id": 500, "id_number": typo, "household_id": 500}], schema=inp.persons.schema
            ),
        ]
    )
    inp.households = pl.concat(
        [
            inp.households,
            pl.DataFrame(
                [
                    {
                        "household_id": 500,
                        "town": "town_d",
                        "area": "urban",
                        "size": 1,
                        "pc_income": 0,
                        "low_income": None,
                    }
                ],
                schema=inp.households.schema,
            ),
        ]
    )
    inp = add_lines(
        inp,
        [
            dict(
                line_id=901,
                person_id=500,
                household_id=500,
                service="dibao",
                category="minimum_living",
                unit="civil_affairs",
                amount=95000,
                period="month",
                start=date(2026, 3, 1),
                end=None,
                cause=None,
                relative_registered=False,
            )
        ],
    )
    alerts, _ = screen(inp, Config(as_of=AS_OF))
    assert sorted(alerts["rule"].to_list()) == ["registered_twice", "two_towns"]
    assert set(alerts["person_id"].to_list()) == {500}
