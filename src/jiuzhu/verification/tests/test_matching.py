"""Matching: exact on a valid number; Splink (via jiuzhu.linkage) for the rest — homophone
names, transposed digits, the 15-digit form; uncertain pairs reviewed and remembered."""

from datetime import date

import polars as pl
import pytest

from jiuzhu.registry.testing import make_id
from jiuzhu.verification import matching, services, testing
from jiuzhu.verification.models import Match, MatchDecision, VerificationRequest

from .conftest import TODAY

BIRTH = date(1968, 7, 12)


def transpose(number: str, i: int = 10) -> str:
    d = list(number)
    d[i], d[i + 1] = d[i + 1], d[i]
    return "".join(d)


def persons(pid_number):
    return pl.DataFrame(
        {
            "person_id": [1, 2],
            "id_number": [pid_number, make_id(date(1990, 2, 2))],
            "name": ["陈志强", "刘芳"],
            "birth_date": [BIRTH.isoformat(), "1990-02-02"],
            "gender": ["M", "F"],
            "phone": ["13900000001", None],
            "address": ["示范市城东街道幸福路1号", None],
        }
    )


def records(rows):
    return pl.DataFrame(
        rows, schema={c: (pl.Int64 if c == "record_id" else pl.String) for c in matching.RECORD_COLUMNS}
    )


def test_exact_homophone_transposed_and_15_digit():
    number = make_id(BIRTH, gender="M")
    assert transpose(number) != number
    recs = records(
        [
            {"record_id": 1, "id_raw": number, "name": "陈志强"},  # exact
            {"record_id": 2, "id_raw": transpose(number), "name": "陈志墙", "birth_date": BIRTH.isoformat()},
            {"record_id": 3, "id_raw": number[:6] + number[8:17], "name": "陈志强"},  # 15 digits
            {
                "record_id": 4,
                "id_raw": None,
                "name": "陈志墙",
                "birth_date": BIRTH.isoformat(),
                "phone": "13900000001",
            },
            {
                "record_id": 5,
                "id_raw": make_id(BIRTH, gender="M"),
                "name": "陈志强",
            },  # another valid number: not him
            {
                "record_id": 6,
                "id_raw": number[:17] + ("0" if number[17] != "0" else "1"),
                "name": "陈志强",
            },  # check
        ]
    )
    pairs = matching.decide(matching.match_frames(persons(number), recs))
    got = {r["record_id"]: r for r in pairs.iter_rows(named=True)}
    assert got[1]["kind"] == "exact" and got[1]["person_id"] == 1
    for rid in (2, 3, 4, 6):
        assert got[rid]["kind"] == "fuzzy" and got[rid]["person_id"] == 1, rid
    assert got[3]["state"] == "accepted" and "15" in got[3]["levels"]
    # the check character wrong, the exact name, the birth date read from the number
    assert (got[6]["state"], got[6]["reason"]) == ("accepted", "slip")
    # a homophone name is similar, not agreement: probable, but the officer decides
    assert "同音" in got[2]["levels"] and got[2]["probability"] > 0.9
    assert (got[2]["state"], got[2]["reason"]) == ("pending", "name_variant")
    assert (got[4]["state"], got[4]["reason"]) == ("pending", "name_variant")  # no number either
    assert 5 not in got  # two different valid numbers are two people
    assert 7 not in got
    wrong_name = records(
        [{"record_id": 8, "id_raw": transpose(number), "name": "李四", "birth_date": BIRTH.isoformat()}]
    )
    w = matching.decide(matching.match_frames(persons(number), wrong_name))
    assert w.height == 0 or w.get_column("state").to_list() == [
        "pending"
    ]  # a wholly other name is never certain


@pytest.fixture
def household(make_household, clerk):
    hh = make_household(
        members=[
            {
                "name": "陈志强",
                "id_number": make_id(BIRTH, gender="M"),
                "birth": BIRTH,
                "relation": "head",
                "phone": "13900000001",
            }
        ],
        address="示范市城东街道幸福路9号",
    )
    testing.authorise(hh, clerk, on=TODAY)
    return hh


def test_officer_review_is_remembered_for_the_next_run(household, clerk, officer, all_datasets, provider_of):
    head = household.members.get()
    # no number, his name and a birth date one digit off: probable, not certain
    doubtful = {
        "id_number": "",
        "name": "陈志强",
        "birth_date": "1968-07-13",
        "institution": "某行",
        "balance": "50000",
        "balance_date": "2026-02-28",
    }
    all_datasets({"banks": [doubtful]})
    req = services.request_create(actor=clerk, household=household, service_code="dibao", today=TODAY)
    pending = list(req.matches.filter(state=Match.PENDING))
    assert req.state == VerificationRequest.REVIEW and len(pending) == 1
    assert 0.5 <= pending[0].probability < matching.settings().accept_threshold
    assert (pending[0].levels["id_number"], pending[0].levels["birth_date"]) == ("缺失", "错一位")
    services.review_decide(actor=officer, match=pending[0], accept=True, reason="电话核实为本人")
    req.refresh_from_db()
    assert req.state == VerificationRequest.READY
    assert MatchDecision.objects.get(person=head).accepted
    # next month's bank dataset carries the same record: no question asked again
    testing.load_dataset(provider_of("banks"), "banks", [doubtful], as_of=date(2026, 3, 31))
    later = services.request_create(
        actor=clerk, household=household, service_code="dibao", fresh=True, today=date(2026, 4, 2)
    )
    m = later.matches.get(record__source="banks")
    assert (m.kind, m.state, later.state) == (Match.REVIEWED, Match.ACCEPTED, VerificationRequest.READY)
    # and a rejection is remembered too
    MatchDecision.objects.update(accepted=False)
    again = services.request_create(
        actor=clerk, household=household, service_code="dibao", fresh=True, today=date(2026, 4, 3)
    )
    assert again.matches.get(record__source="banks").state == Match.REJECTED
    assert again.state == VerificationRequest.READY
