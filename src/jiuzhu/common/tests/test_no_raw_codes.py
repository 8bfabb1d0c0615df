"""No internal code shown as text to people (issue 19): every page reachable from the navigation
and from the demo's objects, opened as every demo role, is searched for the codes the platform
declares (model choices, units, services, categories, data sources, record items, KPI keys,
roles); a code found in a page's visible text fails the test with the page it is on."""

import re
from collections import defaultdict
from html.parser import HTMLParser
from io import StringIO

from django.core.management import call_command
from django.test import Client

from jiuzhu.common import labels
from jiuzhu.registry.models import User

ROLES = (
    "clerk_chengdong", "caseworker_chengdong", "officer_hrss", "officer_discipline", "verifier",
    "provider_police", "approver", "supervisor", "convener", "admin", "partner_youthvol",
)  # fmt: skip
SKIP = ("/admin", "/api", "/static", "/media", "/i18n", "/logout")
HIDDEN = ("script", "style", "option", "select", "textarea")
PER_PATTERN = 2  # pages opened per URL pattern (ids replaced): /households/N/ twice, not 300 times
PER_ROLE = 80


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        self._hidden += tag in HIDDEN
        if tag == "a" and dict(attrs).get("href"):
            self.links.append(dict(attrs)["href"])

    def handle_endtag(self, tag):
        self._hidden -= tag in HIDDEN and self._hidden > 0

    def handle_data(self, data):
        if not self._hidden:
            self.text.append(data)


def _codes() -> set[str]:
    kinds = ["unit", "service", "category", "source", "item", "kpi", "role"]
    kinds += [k for k in labels.kinds() if k.count(".") == 2]  # every model field's choices
    # Codes that read as codes: snake_case, or a lower-case word of 4+ letters (town, dibao…).
    return {c for c in labels.codes(kinds) if re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]{4,}", c)}


def _pattern(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0])


def test_no_page_shows_an_internal_code(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", no_serve=True, households=80, stdout=StringIO())
    usernames = set(User.objects.values_list("username", flat=True))
    codes = _codes() - usernames  # a login name shown beside a person is not a code
    found: dict[str, set[str]] = defaultdict(set)
    opened = 0
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        todo, seen, per = ["/"], set(), defaultdict(int)
        while todo and len(seen) < PER_ROLE:
            url = todo.pop(0)
            if url in seen or per[_pattern(url)] >= PER_PATTERN:
                continue
            seen.add(url)
            per[_pattern(url)] += 1
            page = client.get(url)
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            opened += 1
            parsed = _Page()
            parsed.feed(page.content.decode())
            text = re.sub(r"(https?://|/)\S*", " ", " ".join(parsed.text))  # an address shown is not a code
            for token in set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)) & codes:
                found[token].add(f"{_pattern(url)} ({username})")
            for href in parsed.links:
                path = href.split("#")[0]
                if (
                    path.startswith("/")
                    and not path.startswith(SKIP)
                    and not re.search(r"\.(pdf|xlsx|csv)$", path.split("?")[0])
                ):
                    todo.append(path)
    assert opened > 100
    assert not found, "raw codes shown: " + "; ".join(
        f"{k} on {sorted(v)[:3]}" for k, v in sorted(found.items())
    )
