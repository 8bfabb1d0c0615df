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


# --- version 3: a twin's record is never the member's typing error ---------------------------

YOUNG = "33010220030508123"  # born 2003: an 18-digit number only, no old card
YOUNG += check_char(YOUNG)
TWIN_BODY = YOUNG[:16] + "5"  # sequence 125: the twin (same gender), the next number
TWIN = TWIN_BODY + check_char(TWIN_BODY)
HOME = "示范市城东街道幸福路8号2栋101室"


def _wrong_check(body17: str) -> str:
    right = check_char(body17)
    return body17 + ("0" if right != "0" else "1")


def _young(rows):
    persons = pl.DataFrame(
        {
            "person_id": [1],
            "id_number": [YOUNG],
            "name": ["王志文"],
            "birth_date": ["2003-05-08"],
            "gender": ["M"],
            "phone": ["13900000008"],
            "address": [HOME],
        }
    )
    base = {"birth_date": "2003-05-08", "gender": "M"}
    recs = _records([{**base, **r} for r in rows])
    pairs = matching.decide(matching.match_frames(persons, recs))
    return {r["record_id"]: r for r in pairs.iter_rows(named=True)}


def test_a_twin_with_his_own_valid_number_is_not_attributed():
    got = _young(
        [{"record_id": 1, "id_raw": TWIN, "name": "王志天", "phone": "13900000008", "address": HOME}]
    )
    assert got == {}  # neither used nor shown: two valid numbers are two people


def test_a_twins_damaged_number_with_a_look_alike_name_goes_to_the_officer():
    # the bench's 40 wrong attributions: one sequence digit off, check character mistyped,
    # 文/天 a look-alike pair, the same birth date, phone and address
    got = _young(
        [
            {
                "record_id": 1,
                "id_raw": _wrong_check(TWIN_BODY),
                "name": "王志天",
                "phone": "13900000008",
                "address": HOME,
            }
        ]
    )
    assert got[1]["probability"] >= matching.settings().accept_threshold  # the model is sure …
    assert "形近字" in got[1]["levels"] and matching.TWIN_18 in got[1]["levels"]
    assert (got[1]["state"], got[1]["reason"]) == ("pending", "twin_variant")  # … the ladder is not


def test_a_twins_damaged_number_with_another_given_name_is_someone_elses():
    got = _young(
        [{"record_id": 1, "id_raw": _wrong_check(TWIN_BODY), "name": "王志刚", "phone": "13900000008"}]
    )
    assert got == {}


def test_a_damaged_number_with_only_the_surname_different_goes_to_the_officer():
    # bench/verification.py at 100,000 households: 范鑫伟's record typed 繁鑫伟 (繁 read as the
    # surname Pó, so not a homophone) with a sequence digit mistyped was rejected as a twin's;
    # twins share a surname, so it is the member's slip or a stranger's: the officer decides
    got = _young(
        [{"record_id": 1, "id_raw": _wrong_check(TWIN_BODY), "name": "李志文", "phone": "13900000008"}]
    )
    assert matching.SURNAME_ONLY in got[1]["levels"]
    assert (got[1]["state"], got[1]["reason"]) == ("pending", "twin_variant")


def test_the_members_own_damaged_records_are_still_used():
    slip = YOUNG[:3] + str((int(YOUNG[3]) + 1) % 10) + YOUNG[4:17]  # the area code mistyped
    got = _young(
        [
            {"record_id": 1, "id_raw": _wrong_check(slip), "name": "王志文"},  # birth date in the record
            {"record_id": 2, "id_raw": _wrong_check(YOUNG[:17]), "name": "王志文", "birth_date": None},
            {"record_id": 3, "id_raw": None, "name": "王志文", "phone": "13900000008"},
        ]
    )
    assert (got[1]["state"], got[1]["reason"]) == ("accepted", "slip")
    # the check character wrong and no birth date: the number's own birth segment is the member's
    assert (got[2]["state"], got[2]["reason"]) == ("accepted", "slip")
    assert matching.BIRTH_IN_NUMBER in got[2]["levels"]
    # no number: the exact name, the birth date and the phone
    assert (got[3]["state"], got[3]["reason"]) == ("accepted", "no_id")


def test_a_namesake_born_the_same_day_in_the_same_district_is_not_taken_for_him():
    # the same name and birth date, a number one sequence digit off (damaged), another phone
    # and address: the twins' pattern without the household's phone or address — the officer
    got = _young(
        [
            {
                "record_id": 1,
                "id_raw": _wrong_check(TWIN_BODY),
                "name": "王志文",
                "phone": "13600000077",
                "address": "示范市城西街道和平路3号",
            }
        ]
    )
    assert (got[1]["state"], got[1]["reason"]) == ("pending", "contact_unconfirmed")


def test_every_level_of_the_engine_is_in_the_ladder():
    """A label renamed or added in jiuzhu.linkage's kinds would otherwise fall through to
    "different name" or "unclassified number" without anyone noticing."""
    from jiuzhu.linkage.comparisons import KINDS_FILE, SETTINGS_DIR, load_kinds

    config = matching.settings()
    # the ladder reads the labels of the engine's current kinds, not of an older version
    assert config.kinds == KINDS_FILE.name
    kinds = load_kinds(SETTINGS_DIR / config.kinds)["kinds"]
    names = {lv["label"] for lv in kinds["name"]["levels"]}
    ids = {lv["label"] for lv in kinds["id"]["levels"]}
    classified_names = set(config.exact_name_levels + config.variant_name_levels + config.other_name_levels)
    classified_ids = set(
        config.same_id_levels + config.slip_id_levels + config.twin_id_levels + config.rejecting_id_levels
    )
    assert names - classified_names == {"不同"}
    assert ids - classified_ids == set()
    assert matching.TWIN_18 in config.twin_id_levels
    assert matching.SURNAME_ONLY in config.variant_name_levels
    assert matching.BIRTH_IN_NUMBER in config.agreeing_birth_levels
