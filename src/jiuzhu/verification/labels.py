"""Labels of the verification codes: data sources (settings/sources.v1.yaml) and record items."""

from jiuzhu.common import labels

from .sources import ITEM_NAMES, catalogue


def _sources() -> dict[str, str]:
    return {s.code: s.name for s in catalogue().sources}


labels.register("source", _sources)
labels.register("item", ITEM_NAMES)
