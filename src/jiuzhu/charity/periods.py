"""The months a charity payment pays for (a rent's months, a school term), kept on the
referral so screening compares them with the government's lines of the same need."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.errors import ValidationFailed


def cover_months(cover_from: date | None, cover_to: date | None) -> tuple[date | None, date | None]:
    """The months paid for, as month starts (``cover_to`` defaults to ``cover_from``); an end
    without a start, or before it, is refused."""
    if cover_from is None and cover_to is None:
        return None, None
    if cover_from is None:
        raise ValidationFailed("请填写资助起始月份", field="cover_from", code="required")
    cover_from = cover_from.replace(day=1)
    cover_to = (cover_to or cover_from).replace(day=1)
    if cover_to < cover_from:
        raise ValidationFailed("资助截止月份不能早于起始月份", field="cover_to", code="before_start")
    return cover_from, cover_to
