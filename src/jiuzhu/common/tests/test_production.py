"""The production switch passes Django's deployment checks; every page carries a CSP that
forbids inline scripts, and the pages' own markup needs none."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.test import Client

ROOT = Path(__file__).resolve().parents[4]


def _check(env_extra: dict, tmp_path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JIUZHU_", "DJANGO_"))}
    env.update(
        {"JIUZHU_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "jiuzhu.config.settings", **env_extra}
    )
    return subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_deploy_clean_under_the_production_switch(tmp_path):
    r = _check({"JIUZHU_PRODUCTION": "1"}, tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout
    # without the switch the same check names what the demo leaves out
    demo = _check({}, tmp_path)
    assert demo.returncode != 0 and "SECURE_HSTS_SECONDS" in demo.stdout + demo.stderr


def test_demo_second_factor_setting_refused_in_production(tmp_path):
    r = _check({"JIUZHU_PRODUCTION": "1", "JIUZHU_DEMO_2FA": "off"}, tmp_path)
    assert r.returncode != 0 and "JIUZHU_DEMO_2FA=off" in r.stderr


def test_pages_carry_a_csp_without_inline_script(staff):
    client = Client()
    client.force_login(staff("window_clerk"))
    r = client.get("/households/new/")
    csp = r["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    html = r.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
    assert not re.search(r"\son[a-z]+=|hx-on", html)  # no inline event handlers


def test_inline_styles_carry_the_nonce(staff):
    client = Client()
    client.force_login(staff("supervisor"))
    r = client.get("/supervision/")
    nonce = re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1)
    styles = re.findall(r"<style([^>]*)>", r.content.decode())
    assert styles and all(f'nonce="{nonce}"' in s for s in styles)
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"] == ["'self'"]
