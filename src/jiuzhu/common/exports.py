"""Cells that leave the platform in a spreadsheet (xlsx or CSV) cannot carry formulas.

A text cell that starts with ``= + - @``, a tab or a carriage return is read by Excel/WPS as a
formula (``=HYPERLINK(…)`` in a holder name became a live link in the bank file). Such text
gets a leading apostrophe, the spreadsheet convention for "this is text" (OWASP, CSV
injection). Numbers, Decimals, dates and ``None`` pass untouched, and so does text that is a
plain number (``"-12.50"``: an amount written as text stays that amount). Every xlsx and CSV
writer calls ``safe_row`` (or ``safe_cell``; ``safe_frame`` for a polars frame) on what it
writes (a header that is a constant of the code needs none).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_NUMBER = re.compile(_PLAIN_NUMBER)


def safe_cell(value):
    """``value`` as a spreadsheet may hold it without running it (see the module docstring)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_LEAD) or _NUMBER.match(value):
        return value
    return "'" + value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def safe_frame(frame):
    """A polars DataFrame with every text column passed through ``safe_cell`` (vectorised)."""
    import polars as pl

    lead = r"^[=+\-@\t\r]"  # FORMULA_LEAD as a regex
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(lead) & ~pl.col(c).str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in texts
    )
