"""What held in issue 13 keeps holding: a stranger without a log-in reaches no operation of the
API that the document says needs one (401, nothing read or written), and no staff page (sent
to the log-in page)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _filled(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_every_guarded_api_operation_refuses_a_stranger(client):
    doc = client.get("/api/openapi.json").json()
    guarded = [
        (method, path)
        for path, ops in doc["paths"].items()
        for method, op in ops.items()
        if method in ("get", "post", "put", "patch", "delete") and op.get("security")
    ]
    assert len(guarded) > 100  # the whole API, not a handful
    stranger = Client()
    let_through = []
    for method, path in guarded:
        if method == "get":
            r = stranger.get(_filled(path))
        else:
            r = getattr(stranger, method)(_filled(path), "{}", content_type="application/json")
        if r.status_code != 401:
            let_through.append((method, path, r.status_code))
    assert let_through == []


@pytest.mark.parametrize(
    "page",
    [
        "/",
        "/decisions/",
        "/payments/",
        "/verification/",
        "/supervision/",
        "/charity/manage/",
        "/account/",
        "/screening/",
        "/caseload/changes/1/",
        "/households/H1/",
        "/intake/a/X1/",
    ],
)
def test_staff_pages_send_a_stranger_to_the_log_in(page):
    r = Client().get(page)
    assert r.status_code == 302 and r["Location"].startswith("/login/")
