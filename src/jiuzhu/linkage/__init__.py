"""Record linkage for person files (pure: no Django).

    from jiuzhu.linkage import Compare, dedupe, link, clusters

    pairs = dedupe("persons.csv", id_col="rec_id",
                   compares=[Compare("name", "name"), Compare("id_number", "id")])
    pairs = link(registry, source, id_col="id", preset="person")
    groups = clusters(pairs, ids)

See docs/linkage.md.
"""

from .clusters import clusters
from .comparisons import KINDS, Compare, LinkageError
from .engine import ENGINES, dedupe, link, load_preset, read_table
from .inputs import as_carded

__all__ = [
    "ENGINES",
    "KINDS",
    "Compare",
    "LinkageError",
    "as_carded",
    "clusters",
    "dedupe",
    "link",
    "load_preset",
    "read_table",
]
