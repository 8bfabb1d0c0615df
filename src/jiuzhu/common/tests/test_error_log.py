"""An unhandled exception in a screen (not only in the API) is one JSON line in the data
directory's log, with its traceback and the request id the person was answered with."""

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import include, path

from jiuzhu.config import urls as site_urls


def boom(request):
    raise ZeroDivisionError("boom in a screen")


urlpatterns = [path("boom/", boom), path("", include(site_urls.urlpatterns))]


@pytest.mark.urls(__name__)
def test_a_screen_crash_is_logged_with_traceback_and_request_id(db):
    log = settings.LOG_DIR / "jiuzhu.log"
    start = log.stat().st_size if log.exists() else 0
    r = Client(raise_request_exception=False).get("/boom/", HTTP_X_REQUEST_ID="req-screen-500-0001")
    assert r.status_code == 500 and r["X-Request-ID"] == "req-screen-500-0001"
    assert "boom in a screen" not in r.content.decode()
    with log.open("rb") as f:
        f.seek(start)
        lines = f.read().decode().splitlines()
    events = [json.loads(line) for line in lines]  # every line is one whole event
    mine = [e for e in events if e["request_id"] == "req-screen-500-0001" and e["level"] == "ERROR"]
    assert len(mine) == 1 and mine[0]["path"] == "/boom/" and mine[0]["status"] == 500
    assert "ZeroDivisionError: boom in a screen" in mine[0]["traceback"]
