"""Issue 20's screening causes by need, planted for ``bench/screening.py`` (truth keys
"duplicate/…" must all be found, "silent/…" must raise nothing):

- temporary aid for one cause twice within 12 months, the cause worded two ways (one code of
  the cause list, two notes); silent: two different causes;
- one need under two service codes by two units (a pupil's compulsory-school grant and the
  youth league's school aid paid yearly: the policy file's service → need table);
- rent: charity paid January–March in full (¥1,000 a month), then the rent subsidy was
  granted backdated to January (¥600 a month); silent: the subsidy first, charity topping up
  the ¥400 a month it leaves uncovered over the same months."""

from __future__ import annotations

from datetime import date

WORDINGS = [
    ("fire", "火灾", "家中失火"),
    ("accident", "交通事故", "遭遇交通事故"),
    ("illness", "突发重病", "脑溢血住院"),
]


def plant_by_need(recv, k: int, seed: int, line, truth: dict) -> list[dict]:
    """Plant through ``line(pid, hid, service, cents, start, cause=None, note=…, period=…,
    granted=…)``; returns the charity payments (rows of ``Inputs.charity``)."""
    temp = (
        recv.unique("household_id", keep="first", maintain_order=True)
        .sample(2 * k, seed=seed + 2)
        .rows(named=True)
    )
    for i, row in enumerate(temp):
        pid, hid = row["person_id"], row["household_id"]
        if i < k:
            cause, w1, w2 = WORDINGS[i % len(WORDINGS)]
            later, key = (cause, w2), "duplicate/temporary_same_cause"
        else:
            cause, w1, later, key = "fire", "火灾", ("illness", "突发重病"), "silent/temporary_same_cause"
        line(pid, hid, "temporary_emergency", 200000, date(2025, 11, 1), cause, note=w1)
        line(pid, hid, "temporary_emergency", 150000, date(2026, 3, 1), later[0], note=later[1])
        truth.setdefault(key, set()).add(hid)
    for row in (
        recv.unique("household_id", keep="first", maintain_order=True)
        .sample(k, seed=seed + 7)
        .rows(named=True)
    ):
        pid, hid = row["person_id"], row["household_id"]
        line(pid, hid, "edu_compulsory", 100000, date(2025, 9, 1))
        line(pid, hid, "youth_education_aid", 80000, date(2025, 9, 1), period="year")
        truth.setdefault("duplicate/same_need_two_units", set()).add(pid)
    charity = []
    for i, row in enumerate(
        recv.unique("household_id", keep="first", maintain_order=True)
        .sample(2 * k, seed=seed + 8)
        .rows(named=True)
    ):
        pid, hid = row["person_id"], row["household_id"]
        backdated = i < k
        granted = date(2026, 4, 20) if backdated else date(2026, 1, 5)
        line(pid, hid, "housing_rent_subsidy", 60000, date(2026, 1, 1), granted=granted)
        charity.append(
            {
                "charity_id": i + 1,
                "person_id": pid,
                "household_id": hid,
                "need": "housing",
                "amount": 300000 if backdated else 120000,
                "cost_amount": None if backdated else 300000,
                "paid_on": date(2026, 1, 10),
                "cover_from": date(2026, 1, 1),
                "cover_to": date(2026, 3, 1),
                "partner_code": "rentaid",
            }
        )
        key = "duplicate/charity_covers_paid_cost" if backdated else "silent/charity_covers_paid_cost"
        truth.setdefault(key, set()).add(hid)
    return charity
