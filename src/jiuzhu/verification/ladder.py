"""What a probable pair (a member and a record without the member's valid number) is: used
without review, shown to the verification officer, or someone else's record — decided on the
comparison level of each field, by one ladder (pure: no Django, no polars).

Automatic acceptance needs agreement a decoy cannot fake. A twin has the same birth date,
phone and address and a number differing only in the sequence digits; a namesake elsewhere has
the same name and birth date and another number; a similar name in the same town differs in
one character. So, for a record without the member's valid number:

- the **exact full name** is required — a homophone, a look-alike character or one character
  more or less is *similar*, never agreement;
- a number one typing error away outside the sequence digits (or the old card equal to the
  member's) is near proof with the exact name and the birth date (the record's, or the one in
  its number);
- a number differing only in the sequence digits (the twins' pattern) or no number at all
  needs, besides, the phone or the address;
- a number beyond a typo's reach, or the twins' pattern with another given name, is someone
  else's: neither used nor shown (another surname with the member's given name is not a
  twin's — twins share a surname — and goes to the officer).

Every other pair from the review line up goes to the officer with the reason it was not
taken. The classes of levels are data (``settings/matching.v5.yaml``); docs/verification.md
has the table of outcomes on the bench.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .matching import MatchSettings

ACCEPTED, PENDING, REJECTED = "accepted", "pending", "rejected"
CONTACT_KEYS = ("phone+address", "phone", "address")

REASONS = {
    # accepted
    "exact_id": "身份证号码一致",
    "same_card": "旧15位号码与本人的一致，姓名相同",
    "slip": "号码与本人的只差一处笔误（非顺序码），姓名相同，出生日期一致",
    "twin_same_name": "号码仅顺序码不同，但姓名相同，出生日期一致，电话或地址一致",
    "no_id": "记录无号码：姓名相同，出生日期相同，电话或地址一致",
    # someone else's
    "id_differs": "号码与本人的不同（超出笔误范围）：他人的记录",
    "twin": "号码仅顺序码不同、名字另是一字：双胞胎特征，他人的记录",
    # to the officer
    "twin_variant": "号码仅顺序码不同、姓名同音、形近或仅姓氏不同：可能是双胞胎，也可能是本人的笔误",
    "name_variant": "姓名同音、形近或顺序不同：相近，不算一致",
    "name_other": "姓名相差一字或仅拼写相近：不算一致",
    "name_differs": "姓名不同或记录未填姓名",
    "birth_unconfirmed": "出生日期未能核实（记录未填或不同，号码中的也不同）",
    "contact_unconfirmed": "电话、地址都未能核实",
    "id_unclassified": "号码比较结果不在规则之内",
    "low_probability": "概率低于自动采用线",
}


@dataclass(frozen=True)
class Verdict:
    state: str  # accepted / pending / rejected
    reason: str  # a key of REASONS

    @property
    def text(self) -> str:
        return REASONS[self.reason]


def id_class(level: str | None, config: MatchSettings) -> str:
    """same / slip / twin / missing / other (beyond a typo) / unclassified."""
    if level is None or level in config.missing_id_levels:
        return "missing"
    for cls, levels in (
        ("same", config.same_id_levels),
        ("slip", config.slip_id_levels),
        ("twin", config.twin_id_levels),
        ("other", config.rejecting_id_levels),
    ):
        if level in levels:
            return cls
    return "unclassified"


def name_class(level: str | None, config: MatchSettings) -> str:
    """exact / variant (homophone, look-alike, reordered) / other (one character, similar
    spelling) / different (or missing)."""
    if level in config.exact_name_levels:
        return "exact"
    if level in config.variant_name_levels:
        return "variant"
    if level in config.other_name_levels:
        return "other"
    return "different"


def contact_agrees(levels: dict, config: MatchSettings) -> bool:
    return any(levels.get(k) in config.agreeing_contact_levels for k in CONTACT_KEYS)


def judge(kind: str, probability: float, levels: dict, config: MatchSettings) -> Verdict:
    """The ladder (see the module docstring); ``levels``: field → level label."""
    if kind != "fuzzy":  # exact (a valid number equal to the member's) or the officer's
        return Verdict(ACCEPTED, "exact_id")
    ident = id_class(levels.get("id_number"), config)
    name = name_class(levels.get("name"), config)
    if ident == "other":
        return Verdict(REJECTED, "id_differs")
    if ident == "twin" and name in ("other", "different"):
        return Verdict(REJECTED, "twin")
    if ident == "twin" and name == "variant":
        return Verdict(PENDING, "twin_variant")
    if name != "exact":
        return Verdict(PENDING, f"name_{name}" if name != "different" else "name_differs")
    if ident == "unclassified":
        return Verdict(PENDING, "id_unclassified")
    birth = levels.get("birth_date") in config.agreeing_birth_levels
    if ident != "same" and not birth:
        return Verdict(PENDING, "birth_unconfirmed")
    if ident in ("twin", "missing") and not contact_agrees(levels, config):
        return Verdict(PENDING, "contact_unconfirmed")
    if probability < config.accept_threshold:
        return Verdict(PENDING, "low_probability")
    return Verdict(
        ACCEPTED, {"same": "same_card", "slip": "slip", "twin": "twin_same_name", "missing": "no_id"}[ident]
    )


# --- the evidence for and against, field by field, for the officer ---------------------------

FOR, NEAR, AGAINST, NONE = "for", "near", "against", "none"
STANCE_LABELS = {FOR: "支持是本人", NEAR: "相近", AGAINST: "不支持", NONE: "无从比较"}
FIELD_LABELS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "birth_date": "出生日期",
    "gender": "性别",
    "phone+address": "电话、地址",
    "phone": "电话",
    "address": "地址",
}
_NEAR_DATE = ("错一位", "月日对调")
_NEAR_CONTACT = (
    "部分相似",
    "同一地区",
    "仅邮编相同",
    "错一位",
    "后4位相同",
    "同一街路",
    "三段以上相同",
    "相似",
)


def stance(field: str, level: str | None, config: MatchSettings) -> str:
    """Whether a field's level speaks for the member, is merely near, speaks against, or
    cannot be compared (missing on one side)."""
    if level is None or level == "缺失":
        return NONE
    if field == "name":
        return {"exact": FOR, "variant": NEAR}.get(name_class(level, config), AGAINST)
    if field == "id_number":
        return {"same": FOR, "slip": FOR, "unclassified": NEAR}.get(id_class(level, config), AGAINST)
    if field == "birth_date":
        return FOR if level in config.agreeing_birth_levels else NEAR if level in _NEAR_DATE else AGAINST
    if field in CONTACT_KEYS:
        if level in config.agreeing_contact_levels:
            return FOR
        return NEAR if level in _NEAR_CONTACT else AGAINST
    return FOR if level == "相同" else AGAINST


def evidence(levels: dict, config: MatchSettings) -> list[dict]:
    """One row per compared field, in a fixed order: field, its label, the level, the stance
    and the stance's label."""
    order = list(FIELD_LABELS)
    rows = []
    for field in sorted(levels, key=lambda f: order.index(f) if f in order else len(order)):
        s = stance(field, levels[field], config)
        rows.append(
            {
                "field": field,
                "label": FIELD_LABELS.get(field, field),
                "level": levels[field],
                "stance": s,
                "stance_label": STANCE_LABELS[s],
            }
        )
    return rows
