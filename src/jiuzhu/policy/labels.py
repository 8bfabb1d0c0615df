"""Labels of the catalogue's codes: services and their categories (the city's policy file)."""

from jiuzhu.common import labels

from .schema import CATEGORIES
from .selectors import current_policy


def _services() -> dict[str, str]:
    return {s.code: s.name for s in current_policy().services}


labels.register("service", _services)
labels.register("category", CATEGORIES)
