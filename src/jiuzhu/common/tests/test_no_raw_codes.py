"""No internal code shown as text to people (issue 19): every page reachable from the navigation
and from the demo's objects, opened as every demo role, is searched for the codes the platform
declares (model choices, units, services, categories, data sources, record items, KPI keys,
roles); a code found in a page's visible text fails the test with the page it is on. So are
the files those pages offer (xlsx and CSV: headers and values; PDF: the text drawn into it) and
the console output of ``jiuzhu demo``."""

import csv
import re
from collections import defaultdict
from html.parser import HTMLParser
from io import BytesIO, StringIO

from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from reportlab.pdfgen.textobject import PDFTextObject

from jiuzhu.common import clock, jobs, labels
from jiuzhu.registry.models import User

ROLES = (
    "clerk_chengdong",
    "caseworker_chengdong",
    "officer_hrss",
    "officer_discipline",
    "verifier",
    "provider_police",
    "approver",
    "supervisor",
    "convener",
    "admin",
    "partner_youthvol",
)
SKIP = ("/admin", "/api", "/static", "/media", "/i18n", "/logout")
HIDDEN = ("script", "style", "option", "select", "textarea")
PER_PATTERN = 2  # pages opened per URL pattern (ids replaced): /households/N/ twice, not 300 times
PER_ROLE = 80
# files not every role reaches by a link: asked for directly (a refused one is skipped)
FILE_URLS = [
    "/decisions/notices.xlsx",
    "/performance/briefing.pdf",
    "/intake/results.xlsx",
]
# files built by a background job: the button is pressed (a refused one is skipped), the worker
# runs, and the job's file is read like any other
FILE_JOBS = [
    ("/payments/ledger/export", {"fmt": "xlsx"}),
    ("/screening/report.xlsx", {"status": ""}),
]
FILES = {  # content type -> what a person reads in it
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/csv": "csv",
    "application/pdf": "pdf",
}


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


def _file_text(kind: str, content: bytes, drawn: list[str]) -> str:
    """The text a person reads in a downloaded file."""
    if kind == "xlsx":
        book = load_workbook(BytesIO(content), read_only=True)
        return " ".join(
            str(v)
            for ws in book.worksheets
            for row in ws.iter_rows(values_only=True)
            for v in row
            if v is not None
        )
    if kind == "csv":
        text = content.decode("utf-8-sig", errors="replace")
        return " ".join(" ".join(row) for row in csv.reader(StringIO(text)))
    return " ".join(drawn)  # pdf: the strings reportlab drew on its pages


def _tokens(text: str) -> set[str]:
    text = re.sub(r"(https?://|/)\S*", " ", text)  # an address shown is not a code
    return set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", text))


def _pattern(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0])


def test_no_page_file_or_demo_output_shows_an_internal_code(db, settings, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("demo", no_serve=True, households=80, stdout=out)
    usernames = set(User.objects.values_list("username", flat=True))
    codes = _codes() - usernames  # a login name shown beside a person is not a code
    in_output = sorted(_tokens(out.getvalue()) & codes)
    assert not in_output, f"raw codes in the demo's output: {in_output}"
    drawn: list[str] = []
    format_text = PDFTextObject._formatText

    def spy(self, text):  # every string reportlab draws into a PDF passes here
        drawn.append(text)
        return format_text(self, text)

    monkeypatch.setattr(PDFTextObject, "_formatText", spy)
    found: dict[str, set[str]] = defaultdict(set)
    files: dict[str, set[str]] = defaultdict(set)
    opened, opened_files = 0, defaultdict(int)
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        built = [client.post(url, {"year": clock.today().year, **data}) for url, data in FILE_JOBS]
        jobs.work_off()
        built_urls = [r.url + "file" for r in built if r.status_code == 302 and r.url.startswith("/jobs/")]
        todo, seen, per = ["/", *FILE_URLS, *built_urls], set(), defaultdict(int)
        while todo and len(seen) < PER_ROLE:
            url = todo.pop(0)
            if url in seen or per[_pattern(url)] >= PER_PATTERN:
                continue
            seen.add(url)
            per[_pattern(url)] += 1
            drawn.clear()
            page = client.get(url)
            kind = FILES.get(page.get("Content-Type", "").split(";")[0].strip())
            if page.status_code == 200 and kind:
                content = b"".join(page.streaming_content) if page.streaming else page.content
                opened_files[kind] += 1
                for token in _tokens(_file_text(kind, content, drawn)) & codes:
                    files[kind].add(f"{token} in {_pattern(url)} ({username})")
                continue
            if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
                continue
            opened += 1
            parsed = _Page()
            parsed.feed(page.content.decode())
            for token in _tokens(" ".join(parsed.text)) & codes:
                found[token].add(f"{_pattern(url)} ({username})")
            for href in parsed.links:
                path = href.split("#")[0]
                if path.startswith("/") and not path.startswith(SKIP):
                    todo.append(path)
    assert opened > 100
    assert opened_files["xlsx"] and opened_files["pdf"], f"files opened: {dict(opened_files)}"
    assert not found, "raw codes shown: " + "; ".join(
        f"{k} on {sorted(v)[:3]}" for k, v in sorted(found.items())
    )
    assert not files, "raw codes in files: " + "; ".join(
        f"{kind}: {sorted(v)[:6]}" for kind, v in sorted(files.items())
    )
