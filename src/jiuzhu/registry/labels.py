"""Labels of the registry's codes: units (from the policy file, else the database) and roles."""

from jiuzhu.common import labels
from jiuzhu.policy.selectors import current_policy

from .models import Unit, User


def _units() -> dict[str, str]:
    return {u.code: u.name for u in current_policy().units}


def _unit_row(code: str) -> str | None:
    return Unit.objects.filter(code=code).values_list("name", flat=True).first()


labels.register("unit", _units, lookup=_unit_row)
labels.register("role", dict(User.Role.choices))
