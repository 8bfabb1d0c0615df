"""One household as assessed on one date: members, means tests and the basic-living statuses
(extreme poverty, dibao, single-person coverage, low-income groups) that the specialised
services build on. Each is computed once, on first use. Pure: no Django import."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cached_property

from ..facts import HouseholdFacts
from . import extreme_poverty as xp
from . import minimum_living as ml
from .base import Params
from .impossible import refuse_impossible
from .means import Member, asset_check, income_reasons, members


class Household:
    def __init__(self, facts: HouseholdFacts, as_of: date, policy, params: Params | None = None):
        refuse_impossible(facts, as_of)  # DOMAIN §3 rulings: impossible facts are input errors
        self.facts = facts
        self.as_of = as_of
        self.policy = policy
        self.p = params or Params.at(policy, as_of)
        self.standard: Decimal = self.p.standard[facts.area]

    # --- members and means ---------------------------------------------------------------

    @cached_property
    def members(self) -> list[Member]:
        return members(self.facts, self.p, self.as_of)

    @cached_property
    def counted(self) -> list[Member]:
        return [m for m in self.members if m.counted]

    @cached_property
    def income_reasons(self):
        return income_reasons(self.members, self.p)

    @cached_property
    def assets(self):
        """``(passed, reasons)``: the asset tests over the whole household."""
        return asset_check(self.facts, len(self.counted), self.standard, self.p)

    @property
    def assets_ok(self) -> bool:
        return self.assets[0]

    @cached_property
    def total_income(self) -> Decimal:
        return sum((m.income for m in self.counted), Decimal(0))

    # --- basic living statuses -----------------------------------------------------------

    @cached_property
    def tekun(self) -> dict[int, xp.TekunCheck]:
        """Extreme-poverty check of every counted member, by member index."""
        return {m.index: xp.check(self, m) for m in self.counted}

    @cached_property
    def tekun_members(self) -> list[Member]:
        return [m for m in self.counted if self.tekun[m.index].eligible]

    @cached_property
    def dibao_unit(self) -> list[Member]:
        """The members dibao is assessed for: a person in extreme-poverty support gets no
        dibao share (DOMAIN §3, demo rule), so he is left out with his income."""
        ids = {m.index for m in self.tekun_members}
        return [m for m in self.counted if m.index not in ids]

    @cached_property
    def unit_income(self) -> Decimal:
        return sum((m.income for m in self.dibao_unit), Decimal(0))

    @cached_property
    def dibao(self) -> ml.DibaoCheck:
        return ml.dibao(self)

    @cached_property
    def single(self) -> ml.SingleCheck:
        return ml.single(self)

    @cached_property
    def marginal(self) -> ml.StatusCheck:
        return ml.marginal(self)

    @cached_property
    def rigid(self) -> ml.StatusCheck:
        return ml.rigid(self)

    # --- groups the specialised services use ---------------------------------------------

    def group(self, m: Member) -> str | None:
        """The member's basic-living group: "extreme_poverty", "dibao" (household in dibao, or
        covered alone), "low_income_marginal", "rigid_expenditure", or None."""
        if not m.counted:
            return None
        if self.tekun[m.index].eligible:
            return "extreme_poverty"
        if m.index in self.single.covered:
            return "dibao"
        if self.dibao.eligible:
            return "dibao"
        if self.marginal.eligible:
            return "low_income_marginal"
        if self.rigid.eligible:
            return "rigid_expenditure"
        return None

    @cached_property
    def groups(self) -> dict[int, str | None]:
        return {m.index: self.group(m) for m in self.counted}

    @cached_property
    def low_income(self) -> bool:
        """In the low-income population in the wide sense (any group, DOMAIN §3)."""
        return any(g is not None for g in self.groups.values())

    def able_to_work(self, m: Member) -> bool:
        """Able-bodied and of working age for the employment duty (16–59 men, 16–54 women)."""
        top = self.p.duty_age_max["F" if m.facts.gender == "F" else "M"]
        return (
            m.counted
            and m.facts.labour_capacity == "full"
            and self.p.duty_age_min <= m.age <= top
            and not m.facts.school_stage
        )
