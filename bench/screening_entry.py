"""A person's record as a clerk typed it, for ``bench/screening.py``: the generator's damage
(``jiuzhu.linkage.synth``), and what the platform's forms store of a typed ID number."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import idnumber
from jiuzhu.common.errors import ValidationFailed


def damaged(maker, row: dict) -> dict:
    """``row`` as another unit recorded it: an ID error always (a 15-digit form when the
    generator's error left the number as it was), 1–3 errors in other fields."""
    rec = dict(row)
    rec["_birth"] = date.fromisoformat(row["birth_date"])
    rec["_surname"], rec["_given"] = row["name"][:1], row["name"][1:]
    for k in ("address", "phone", "postcode", "gender"):
        rec.setdefault(k, None)
    out = maker.damage(rec, damaged_id_rate=1.0)
    if not out.get("id_number") or out["id_number"] == row["id_number"]:
        n = row["id_number"]
        out["id_number"] = n[:6] + n[8:17]  # the 15-digit form
    return out


def entered(number: str | None, card: str, today: date) -> idnumber.IdInfo:
    """The number the platform stores when ``number`` is typed for the person whose card
    reads ``card``: the register (``registry.services.clean_member``) and the relatives'
    declaration (``decisions.relatives``) check it with ``common.idnumber.parse``, which
    refuses a typed-over, swapped or dropped digit (the check character catches every one)
    and upgrades a 15-digit number. A refused number is typed again from the card; so is a
    15-digit form of someone born in 2000 or later, who never had a 15-digit card."""
    born = int(card[6:10])
    if number and not (len(number) == 15 and born >= 2000):
        try:
            return idnumber.parse(number, today=today)
        except ValidationFailed:
            pass
    return idnumber.parse(card, today=today)
