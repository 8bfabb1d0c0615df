"""The demo's own logins that the programme demos act as (made by ``jiuzhu demo`` before them),
and the demo's size that the programme demos scale to."""

from __future__ import annotations

from .demogen import DEMO_CODE_PREFIX
from .models import Household, Unit, User

# ``jiuzhu demo``'s default number of households: the programme demos' sizes are set for it
DEFAULT_HOUSEHOLDS = 5000


def demo_scaled(count: int) -> int:
    """A programme demo's size ``count`` (set for the default demo) in proportion to the
    generated households of a smaller demo, at least 1, never more than ``count`` — so a small
    demo city's departments do not spend beyond the city's proportions. A database without
    generated households (a test's own) keeps ``count``."""
    n = Household.objects.filter(code__startswith=DEMO_CODE_PREFIX).count()
    if n == 0 or n >= DEFAULT_HOUSEHOLDS:
        return count
    return max(1, round(count * n / DEFAULT_HOUSEHOLDS))


def maker_and_checker(unit: Unit | None) -> tuple[User, User] | None:
    """The first department officer of ``unit`` (who prepares) and the first approver (who
    signs); ``None`` when the demo has not made either, so a programme demo can skip itself."""
    maker = User.objects.filter(role="department_officer", unit=unit).order_by("pk").first() if unit else None
    checker = User.objects.filter(role="approver").order_by("pk").first()
    if maker is None or checker is None:
        return None
    return maker, checker
