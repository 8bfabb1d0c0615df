"""One place that turns an internal code into the words a person reads (issue 19).

    label("unit", "civil_affairs")          -> "民政局"
    label("service", "dibao")               -> "最低生活保障"
    label("intake.referral.state", "open")  -> the Chinese label of that model field's choice
    {{ code|label:"source" }}  {{ amount|yuan }}  {{ moment|moment }}   (template builtins)

Kinds are declared by the areas that own the codes, in a ``labels.py`` module of their app
(discovered the first time a label is asked for, like Django's admin modules):
``labels.register("source", lambda: {...})``. Every model field with choices is declared
automatically as ``"<app_label>.<model_name>.<field>"``. A kind may also be looked up by
a plain field name ("state", "kind") when one model alone is not meant.

Lookup order: the kind, then every kind (so an ambiguous kind such as "state" still finds a
Chinese word), then the code itself — a code shown as text is a bug the crawl test finds.
In English (``LANGUAGE_CODE`` "en") a kind's English table is used if it has one, else the code
made readable ("civil_affairs" -> "Civil affairs"), never the raw code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from threading import Lock

from django.apps import apps
from django.utils import timezone, translation
from django.utils.module_loading import autodiscover_modules

Table = Mapping[str, str]
Provider = Callable[[], Table]

_providers: dict[str, list[Provider]] = {}
_english: dict[str, list[Provider]] = {}
_lookups: dict[str, list[Callable[[str], str | None]]] = {}
_discovered = False
_lock = Lock()


def _provider(table: Table | Provider) -> Provider:
    """A provider for ``table``: itself when it is one, else a function returning the mapping."""
    if callable(table):
        return table
    return lambda: table


def register(
    kind: str,
    table: Table | Provider,
    *,
    en: Table | Provider | None = None,
    lookup: Callable[[str], str | None] | None = None,
) -> None:
    """Declare the labels of ``kind``. ``table`` is a mapping or a function returning one (read
    on every call: a provider caches by itself when its source is slow). ``lookup(code)`` is
    asked for a code the table lacks (a database row created after start-up)."""
    _providers.setdefault(kind, []).append(_provider(table))
    if en is not None:
        _english.setdefault(kind, []).append(_provider(en))
    if lookup is not None:
        _lookups.setdefault(kind, []).append(lookup)


def _discover() -> None:
    global _discovered
    if _discovered:
        return
    with _lock:
        if _discovered:
            return
        _register_choices()
        autodiscover_modules("labels")
        _discovered = True


def _register_choices() -> None:
    by_field: dict[str, dict[str, str]] = {}
    for model in apps.get_models():
        if model._meta.app_label.startswith("historical") or model.__name__.startswith("Historical"):
            continue
        for f in model._meta.get_fields():
            choices = getattr(f, "flatchoices", None)
            if not choices or not getattr(f, "concrete", False):
                continue
            table = {str(k): str(v) for k, v in choices if k not in (None, "")}
            register(f"{model._meta.app_label}.{model._meta.model_name}.{f.name}", table)
            by_field.setdefault(f.name, {}).update(
                {k: v for k, v in table.items() if k not in by_field.get(f.name, {})}
            )
    for name, table in by_field.items():
        register(name, table)


def _search(kind: str, code: str, registry: dict[str, list[Provider]]) -> str | None:
    for provider in registry.get(kind, ()):
        hit = provider().get(code)
        if hit:
            return str(hit)
    return None


def readable(code: str) -> str:
    """``civil_affairs`` -> ``Civil affairs`` (the English fallback)."""
    words = code.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def label(kind: str, code) -> str:
    """The words for ``code`` of ``kind`` in the current language ("" for an empty code)."""
    if code is None or code == "":
        return ""
    _discover()
    code = str(code)
    english = (translation.get_language() or "").startswith("en")
    if english:
        return _search(kind, code, _english) or readable(code)
    hit = _search(kind, code, _providers)
    if hit:
        return hit
    for fn in _lookups.get(kind, ()):
        hit = fn(code)
        if hit:
            return hit
    for other in _providers:
        if other != kind:
            hit = _search(other, code, _providers)
            if hit:
                return hit
    return code


def kpi(key: str) -> str:
    """A KPI key, grouped ones too: ``"intake.received"`` -> ``"受理办理·收到分办事项"``."""
    return "·".join(label("kpi", part) for part in str(key).split("."))


def table(kind: str) -> dict[str, str]:
    """Every code of ``kind`` with its label (the current language), for choices in forms."""
    _discover()
    out: dict[str, str] = {}
    for provider in _providers.get(kind, ()):
        for code in provider():
            out.setdefault(code, label(kind, code))
    return out


def kinds() -> list[str]:
    _discover()
    return sorted(_providers)


def codes(only: Iterable[str] | None = None) -> set[str]:
    """Every declared code (of ``only`` kinds, else all): the set the crawl test looks for in
    pages' text."""
    _discover()
    out: set[str] = set()
    for kind in only if only is not None else list(_providers):
        for provider in _providers.get(kind, ()):
            out.update(provider())
    return out


# --- money and time ---------------------------------------------------------------------------


def yuan(amount, *, sign: str = "¥") -> str:
    """``Decimal("69804000")`` -> ``¥69,804,000.00``; ``None``/"" -> "" (never a float)."""
    if amount is None or amount == "":
        return ""
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    value = value.quantize(Decimal("0.01"))
    text = f"{abs(value):,.2f}"
    return f"-{sign}{text}" if value < 0 else f"{sign}{text}"


def moment(value, *, seconds: bool = False) -> str:
    """Local time, minutes (or seconds), never microseconds: ``2026-12-05 17:05``. A date is
    shown as ``2026-12-05``."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- the access log's own codes (common.models.AccessLog) ---------------------------------------

register(
    "access_action",
    {
        "view": "查看",
        "export": "导出",
        "search": "查询",
        "serve": "核对服务",
        "login": "登录",
        "login_failed": "登录失败",
        "locked_out": "账号锁定",
        "append": "追加",
    },
)
register(
    "object_type",
    {
        "household": "家庭档案",
        "household_search": "家庭查询",
        "household_history": "家庭变更记录",
        "person": "人员",
        "session": "登录会话",
        "verification_report": "核对报告",
        "verification_task": "核对任务",
        "source_record": "核对来源记录",
        "source_dataset": "核对数据集",
        "screening.alert": "筛查预警",
        "screening.report": "筛查报告",
        "intake.application": "救助申请",
        "intake.document": "申请材料",
        "charity.referral": "慈善转介",
        "supervision.complaint": "投诉举报",
        "payment_roll": "发放名册",
        "decisions.case": "审核确认案件",
        "decisions.letter": "决定书",
        "audit.search": "日志查询",
        "audit.export": "日志导出",
    },
)
