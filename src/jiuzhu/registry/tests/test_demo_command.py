"""``jiuzhu demo`` and ``jiuzhu serve``."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from jiuzhu.common import masking as m
from jiuzhu.registry.management.commands.demo import DEMO_PASSWORD, NEWCOMER, demo_logins
from jiuzhu.registry.models import Asset, Household, IncomeItem, Person, User


def demo(**kw):
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out, **kw)
    return out.getvalue()


def counts():
    return (
        Household.objects.filter(code__startswith="D").count(),  # generated (seeds add a few more)
        Person.objects.count(),
        IncomeItem.objects.count(),
        Asset.objects.count(),
    )


def test_demo_is_idempotent_and_every_role_can_log_in(db, policy, settings):
    # The slow production hasher would spend ~20 s on 70 log-ins; the command hashes with
    # whatever hasher is configured.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    first = demo(households=50, seed=3)
    loaded = counts()
    assert loaded[0] == 50 and loaded[1] > 100
    assert "clerk_chengdong" in first and DEMO_PASSWORD in first
    second = demo(households=50, seed=3)
    assert counts() == loaded
    assert "已有演示家庭 50 户" in second
    logins = demo_logins(policy)
    staff = User.objects.exclude(role=m.PARTNER).exclude(username=NEWCOMER)
    assert len({x.username for x in logins}) == len(logins) == staff.count()
    assert User.objects.get(username=NEWCOMER).role == ""  # the administrator's queue item
    assert {x.role for x in logins} == set(m.ROLES) - {m.PARTNER}  # partner logins come with charity
    towns = {u.code for u in policy.towns}
    assert {x.unit.code for x in logins if x.role == m.WINDOW_CLERK} == towns
    assert {x.unit.code for x in logins if x.role == m.TOWN_CASEWORKER} == towns
    assert {x.unit.code for x in logins if x.role == m.DATA_PROVIDER} == {
        u.code for u in policy.units if u.data_source
    }
    for username in (
        "clerk_chengdong",
        "caseworker_liuhe",
        "officer_education",
        "verifier",
        "provider_police",
        "approver",
        "supervisor",
        "convener",
        "admin",
    ):
        assert User.objects.filter(username=username).exists(), username
    for user in User.objects.all():
        client = Client()
        assert client.login(username=user.username, password=DEMO_PASSWORD), user.username
        assert client.get("/").status_code == 200, user.username
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.role == m.ADMIN
    # The generated households open and are found like any other.
    clerk = Client()
    clerk.login(username="clerk_chengdong", password=DEMO_PASSWORD)
    head = (
        Person.objects.filter(relation="head", household__town__code="town_chengdong")
        .select_related("household")
        .first()
    )
    page = clerk.get(f"/households/{head.household.code}/")
    assert page.status_code == 200 and head.name in page.content.decode()
    found = clerk.get("/search/", {"q": head.id_number})
    assert found.status_code == 200 and head.household.code in found.content.decode()


def test_reset_makes_the_demo_anew(transactional_db):
    # Committed like a real run: --reset may empty the whole demo database (flush), which
    # PostgreSQL refuses inside the open transaction of a plain ``db`` test.
    demo(households=30, seed=1)
    first = set(Person.objects.values_list("id_number", flat=True))
    out = demo(households=40, seed=2, reset=True)
    assert "已清除演示家庭 30 户" in out
    assert Household.objects.filter(code__startswith="D").count() == 40
    assert set(Person.objects.values_list("id_number", flat=True)) != first


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_the_port_it_prints(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(JIUZHU_DATA_DIR=str(tmp_path), JIUZHU_SQLITE_NAME=str(tmp_path / "serve.sqlite3"))
    root = Path(__file__).resolve().parents[4]
    proc = subprocess.Popen(
        [sys.executable, "-m", "jiuzhu.config.cli", "serve", "--port", str(port), "--workers", "1"],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/login/"
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and status is None:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    status = response.status
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.3)
        assert status == 200
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert f"http://127.0.0.1:{port}/" in output
