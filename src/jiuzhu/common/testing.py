"""Test support shared by the areas (imported by tests only)."""

from __future__ import annotations

import threading
from urllib.parse import unquote

from django.db import connection

from .errors import JiuzhuError


def race(fns) -> list[tuple[str, object]]:
    """Run ``fns`` at the same moment, each in its own thread with its own database
    connection; return per function ``("ok", result)``, ``("error", JiuzhuError)`` or
    ``("crash", exception)`` — the tests assert that exactly one wins and nothing crashes."""
    barrier = threading.Barrier(len(fns))
    results: list = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except JiuzhuError as exc:
            results[i] = ("error", exc)
        except Exception as exc:  # surfaced by the caller's assertion
            results[i] = ("crash", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def download_name(response) -> str:
    """The Chinese file name a browser saves ``response`` under, read from the header's
    RFC 5987 ``filename*`` (which must be there: a plain ``filename`` cannot carry it)."""
    header = response["Content-Disposition"]
    assert "filename*=UTF-8''" in header, header
    return unquote(header.split("filename*=UTF-8''", 1)[1].split(";", 1)[0])
