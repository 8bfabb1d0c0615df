"""The benches' throw-away PostgreSQL database, written once (issue 15). A bench run as
``uv run python bench/<name>.py`` imports it as ``benchdb`` (its own folder is on the path)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable


def scratch_postgres(
    url: str, tag: str = "bench", *, via: str | None = None
) -> tuple[str, Callable[[], None]]:
    """A throw-away database beside the one ``url`` names, created and dropped through ``via``
    (default ``url`` itself; the ``postgres`` database when the named one need not exist);
    returns (its url, drop)."""
    import psycopg

    base, _, name = url.rpartition("/")
    bench = f"{name.split('?')[0]}_{tag}_{os.getpid()}"
    admin = via or url
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{bench}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{bench}" WITH (FORCE)')

    return f"{base}/{bench}", drop


def setup_database(prefix: str) -> Callable[[], None]:
    """For a bench that runs Django in its own process: a fresh data directory and, when
    ``DATABASE_URL`` names PostgreSQL, a scratch database in its place. Returns drop (which
    closes Django's connections first); SQLite needs nothing dropped."""
    os.environ["JIUZHU_DATA_DIR"] = tempfile.mkdtemp(prefix=f"{prefix}-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    url = os.environ.get("DATABASE_URL")
    if not url:
        return lambda: None
    os.environ["DATABASE_URL"], drop_database = scratch_postgres(url)

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        drop_database()

    return drop
