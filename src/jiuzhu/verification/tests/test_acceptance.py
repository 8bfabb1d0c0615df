"""Automatic acceptance attributes no one else's record: a twin's old card one digit away, a
namesake elsewhere with another number, a similar name in the same town are never accepted;
the member's own old card with a slip still is."""

import polars as pl

from jiuzhu.common.idnumber import check_char
from jiuzhu.verification import matching

OWN = "32990119720315123"
OWN += check_char(OWN)
CARD = OWN[:6] + OWN[8:17]  # the member's old 15-digit card
ADDRESS = "示范市城东街道幸福路1号3栋201室"


def _records(rows):
    return pl.DataFrame(
        rows, schema={c: (pl.Int64 if c == "record_id" else pl.String) for c in matching.RECORD_COLUMNS}
    )


def _decided():
    persons = pl.DataFrame(
        {
            "person_id": [1],
            "id_number": [OWN],
            "name": ["陈志强"],
            "birth_date": ["1972-03-15"],
            "gender": ["M"],
            "phone": ["13900000001"],
            "address": [ADDRESS],
        }
    )
    twin = CARD[:14] + "5"  # sequence 125: the twin brother
    elsewhere = "440305720315371"  # another city's old card
    slip = CARD[:2] + str((int(CARD[2]) + 1) % 10) + CARD[3:]  # the area code mistyped
    recs = _records(
        [
            {"record_id": 1, "id_raw": slip, "name": "陈志强", "birth_date": "1972-03-15"},
            {
                "record_id": 2,
                "id_raw": twin,
                "name": "陈志刚",
                "birth_date": "1972-03-15",
                "phone": "13900000001",
                "address": ADDRESS,
                "gender": "M",
            },
            {
                "record_id": 3,
                "id_raw": elsewhere,
                "name": "陈志强",
                "birth_date": "1972-03-15",
                "gender": "M",
            },
            {
                "record_id": 4,
                "id_raw": None,
                "name": "陈志清",
                "birth_date": "1972-03-15",
                "address": "示范市城东街道幸福路9号",
                "phone": "13700000002",
                "gender": "M",
            },
        ]
    )
    pairs = matching.decide(matching.match_frames(persons, recs))
    return {r["record_id"]: r for r in pairs.iter_rows(named=True)}


def test_the_members_old_card_with_a_slip_is_accepted():
    got = _decided()
    assert got[1]["state"] == "accepted" and got[1]["person_id"] == 1


def test_decoys_are_never_accepted():
    got = _decided()
    assert 2 not in got  # the twin pattern and another name: someone else's
    assert 3 not in got  # a number beyond a typo's reach
    assert got.get(4, {"state": "pending"})["state"] == "pending"  # one character different: not agreement
