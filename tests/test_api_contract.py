"""Schemathesis over the whole API, in process (WSGI), as an administrator and as a window clerk:
every check, a few examples per operation, a fixed seed. No 5xx, no response outside its documented
schema or status codes, no schema-valid request refused as malformed, no malformed one accepted, no
protected operation answering without its session.
Runs on SQLite only (``-m contract`` is left out of the PostgreSQL pass in scripts/test.sh).

The session is applied through schemathesis' auth mechanism (``@schema.auth()``), not as cookies of
the call: the ``ignored_auth`` check then knows which cookie is the credential (the OpenAPI
``StaffSession`` scheme, cookie ``sessionid``) and can take it away to see the operation refuse."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261205,
        # One small generation per operation: the examples phase is off (few operations carry
        # examples), coverage and stateful phases are off, so each operation gets a handful of
        # fuzzed cases, positive and negative.
        "generation": {"max-examples": 2, "deterministic": True, "database": "none"},
        "phases": {
            "examples": {"enabled": False},
            "stateful": {"enabled": False},
            "coverage": {"enabled": False},
        },
        # 400 is a business rule refusing a well-formed request (a month outside the window, an ID
        # number with a wrong check digit): the schema cannot say it, so it is not a contract breach.
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        },
        # The eligibility pre-check answers every household it cannot assess with 422 (policy/api.py:
        # one of ID number, birth date or age; a grade only with a disability; as_of while a
        # standard is in force) — rules between fields that JSON Schema does not carry.
        "operations": [
            {
                "include-path": "/api/eligibility/evaluate",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
        ],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application(), config=CONFIG)

pytestmark = pytest.mark.contract
SESSION: dict[str, str] = {}
COUNT: dict = {"cases": 0, "status": {}}


@schema.auth(refresh_interval=None, retry_on=[])
class StaffSessionAuth:
    """The logged-in staff member of the current test (``SESSION``): the session cookie of the
    ``StaffSession`` scheme, plus the CSRF cookie and header an unsafe method needs."""

    def get(self, case, context):
        return dict(SESSION)

    def set(self, case, data, context):
        case.cookies = {**(case.cookies or {}), "sessionid": data["sessionid"], "csrftoken": data["csrf"]}
        case.headers = {**(case.headers or {}), "X-CSRFToken": data["csrf"]}


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    print(f"\nschemathesis: {COUNT['cases']} cases, statuses {sorted(COUNT['status'].items())}")


@pytest.fixture(scope="module")
def sessions(django_db_setup, django_db_blocker):
    """One administrator and one window clerk, logged in once for the module (a password hash
    and the units per case would cost more than the cases); removed again at the end. The units stay: they are the policy file's, exactly what every
    test's ``units`` fixture makes anyway (``units_sync`` is idempotent)."""
    from django.contrib.sessions.models import Session

    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry.models import Unit, User
    from jiuzhu.registry.services import units_sync

    with django_db_blocker.unblock():
        units_sync(policy=current_policy())
        made = {}
        for role, unit in (("admin", "civil_affairs"), ("window_clerk", "town_chengdong")):
            user = User.objects.create(
                username=f"contract_{role}", role=role, unit=Unit.objects.get(code=unit), display_name=role
            )
            client = Client()
            client.force_login(user)
            made[role] = {"sessionid": client.cookies["sessionid"].value, "csrf": _get_new_csrf_string()}
    yield made
    with django_db_blocker.unblock():
        Session.objects.all().delete()
        User.objects.filter(username__startswith="contract_").delete()


@pytest.fixture(params=["admin", "window_clerk"])
def logged_in(request, sessions, db):
    SESSION.update(sessions[request.param])
    yield request.param
    SESSION.clear()


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_api_contract(case, logged_in):
    response = case.call_and_validate()
    COUNT["cases"] += 1
    COUNT["status"][response.status_code] = COUNT["status"].get(response.status_code, 0) + 1
