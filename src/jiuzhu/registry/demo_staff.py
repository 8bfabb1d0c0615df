"""The demo's own logins that the programme demos act as (made by ``jiuzhu demo`` before them)."""

from __future__ import annotations

from .models import Unit, User


def maker_and_checker(unit: Unit | None) -> tuple[User, User] | None:
    """The first department officer of ``unit`` (who prepares) and the first approver (who
    signs); ``None`` when the demo has not made either, so a programme demo can skip itself."""
    maker = User.objects.filter(role="department_officer", unit=unit).order_by("pk").first() if unit else None
    checker = User.objects.filter(role="approver").order_by("pk").first()
    if maker is None or checker is None:
        return None
    return maker, checker
