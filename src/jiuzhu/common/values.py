"""One validation per kind of value, used by forms, API schemas and every upload.

Each function takes what a person or a file gave, returns the normalised value and raises
``ValidationFailed(field=..., code=...)`` with a Chinese message when it cannot be accepted::

    from jiuzhu.common import values
    number = values.id_number(raw, field="id_number")          # '110101199003071234'
    died = values.past_date(raw, field="death_date")          # date, not after today
    name = values.text(raw, field="name", max_length=50)       # no control characters, ≤ 50
    tel = values.phone(raw, field="phone", required=False)     # '' or '13800138000'
    amount = values.money(raw, field="amount")                 # Decimal('1234.50'), 0 … MONEY_MAX
    floor = values.area(raw, field="floor_area")               # Decimal('86.40'), 0 … AREA_MAX
    month = values.month(raw, field="month")                   # date(2026, 3, 1) within the window

The bounds are declared once here (``MONEY_MAX``, ``AREA_MAX``, ``EARLIEST``, the phone and
control-character patterns) and serve two ways: the scalar functions above, and the polars
expressions at the end (``frame_*``) that check a whole uploaded file with the same rules, so
that what an upload's validation passes, its apply step and the database accept.

For ninja/pydantic schemas use the ``Annotated`` types (``IdNumber``, ``PastDate``, ``Phone``,
``Money``, ``OptionalAmount``, ``Area``, ``Month``, ``Annotated[str, Bounded(50)]``, ``Note``;
``Id`` for every row id in a path, query or body): the validator raises ``ValidationFailed``, which
pydantic lets through and the API turns into ``{"code", "field", "message"}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, overload

from annotated_types import GroupedMetadata
from django.conf import settings
from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

from . import idnumber
from .errors import ValidationFailed
from .money import MONEY_MAX, parse_decimal

EARLIEST = date(1890, 1, 1)  # no living or recorded person was born before this
# MONEY_MAX (one hundred million yuan) lives in common.money, beside ``money.amount``.
# Free text kept in a TextField (情况说明, reasons, results): no column bound, so this one.
NOTE_MAX = 2000
AREA_MAX = Decimal("100000.00")  # m²: a dwelling, a plot, a shop; beyond is a typing error
# C0 controls (NUL included), DEL and the C1 block. Single-line text refuses them all;
# multi-line text (notes, reasons) allows tab and line breaks.
CONTROL_CHARS = r"[\x00-\x1f\x7f-\x9f]"
CONTROL_CHARS_MULTILINE = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
# Digits, at most one leading +, separators - and space (138 0013 8000, 010-12345678-801,
# +86 13800138000); 5 to 20 characters.
PHONE_PATTERN = r"^\+?\d[\d -]{3,18}\d$"
PHONE_MAX = 20
_CONTROL = re.compile(CONTROL_CHARS)
_CONTROL_ML = re.compile(CONTROL_CHARS_MULTILINE)
_PHONE = re.compile(PHONE_PATTERN)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})(-01)?$")


def today() -> date:
    try:  # the clock a training site can move (common.clock), when present
        from .clock import today as clock_today
    except ImportError:
        from django.utils import timezone

        return timezone.localdate()
    return clock_today()


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _required(field: str, label: str | None) -> ValidationFailed:
    return ValidationFailed(f"{label or '此项'}不能为空", field=field, code="required")


# --- scalar validators ---------------------------------------------------------------------


def text(
    raw: Any,
    *,
    field: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
    label: str | None = None,
) -> str:
    """Text without control characters (NUL included), stripped, at most ``max_length``
    characters (the model column's)."""
    if _blank(raw):
        if required:
            raise _required(field, label)
        return ""
    value = str(raw).strip()
    if (_CONTROL_ML if multiline else _CONTROL).search(value):
        raise ValidationFailed(
            f"{label or '此项'}含有不可见的控制字符", field=field, code="control_characters"
        )
    if len(value) > max_length:
        raise ValidationFailed(
            f"{label or '此项'}不能超过 {max_length} 个字（现为 {len(value)} 个）",
            field=field,
            code="too_long",
            max_length=max_length,
        )
    return value


def note(raw: Any, *, field: str, label: str | None = None, required: bool = False) -> str:
    """Free text kept in a TextField (reasons, findings, minutes, notes): ``text`` with line
    breaks kept, at most ``NOTE_MAX``."""
    return text(raw, field=field, max_length=NOTE_MAX, required=required, multiline=True, label=label)


def names(
    raw: Any, *, field: str, label: str | None = None, max_length: int = 50, max_items: int = 50
) -> list[str]:
    """A list of people's names (investigators, members present): each ``text`` of at most
    ``max_length``, blanks dropped, at most ``max_items``. ``raw`` is a list or one string
    separated by commas, 、 or line breaks."""
    if _blank(raw):
        return []
    items = re.split(r"[,，、\n]", raw) if isinstance(raw, str) else list(raw)
    out = [text(x, field=field, max_length=max_length, label=label) for x in items if not _blank(x)]
    if len(out) > max_items:
        raise ValidationFailed(
            f"{label or '此项'}最多 {max_items} 人", field=field, code="too_many", max_items=max_items
        )
    return out


def id_number(raw: Any, *, field: str = "id_number", required: bool = True) -> str:
    """A resident ID number (18 digits with a right check character, or 15 digits upgraded),
    its birth date real and not in the future. Returns the 18-digit form."""
    if _blank(raw):
        if required:
            raise _required(field, "身份证号码")
        return ""
    return id_info(raw, field=field).number


def id_info(raw: Any, *, field: str = "id_number") -> idnumber.IdInfo:
    """``id_number``'s checks, with what the number says: its 18-digit form, the birth date,
    gender, division and whether it was upgraded from a 15-digit card (a computed check
    character, which proves nothing: the record keeps that flag)."""
    if _blank(raw):
        raise _required(field, "身份证号码")
    if _CONTROL.search(str(raw)):
        raise ValidationFailed("身份证号码含有不可见的控制字符", field=field, code="control_characters")
    return idnumber.parse(str(raw), field=field, today=today())


def parse_date(raw: Any, *, field: str, label: str | None = None) -> date:
    """A date from ``date``, ISO text (2025-01-31) or ``YYYY/M/D``/``YYYY年M月D日``."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    value = str(raw).strip()
    parts = re.split(r"[-/.年月日]", value.rstrip("日"))
    try:
        if len(parts) != 3 or _CONTROL.search(value):
            raise ValueError
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise ValidationFailed(
            f"{label or '日期'}“{value[:20]}”不是有效日期", field=field, code="invalid_date"
        ) from None


@overload
def past_date(
    raw: Any, *, field: str, required: Literal[True] = ..., label: str | None = ..., earliest: date = ...
) -> date: ...
@overload
def past_date(
    raw: Any, *, field: str, required: bool, label: str | None = ..., earliest: date = ...
) -> date | None: ...


def past_date(
    raw: Any,
    *,
    field: str,
    required: bool = True,
    label: str | None = None,
    earliest: date = EARLIEST,
) -> date | None:
    """A date of a fact that has happened (birth, death, registration): not after today and
    not before ``earliest``."""
    if _blank(raw):
        if required:
            raise _required(field, label)
        return None
    value = parse_date(raw, field=field, label=label)
    if value > today():
        raise ValidationFailed(
            f"{label or '日期'} {value.isoformat()} 晚于今天，不可能", field=field, code="date_in_future"
        )
    if value < earliest:
        raise ValidationFailed(
            f"{label or '日期'} {value.isoformat()} 早于 {earliest.isoformat()}，不可能",
            field=field,
            code="date_too_early",
        )
    return value


def phone(raw: Any, *, field: str = "phone", required: bool = False) -> str:
    """A telephone number: mobile, fixed line with area code, or international. Returns it
    stripped; '' when blank and not required."""
    if _blank(raw):
        if required:
            raise _required(field, "联系电话")
        return ""
    value = str(raw).strip()
    if len(value) > PHONE_MAX or not _PHONE.match(value):
        raise ValidationFailed(
            "联系电话只能含数字、空格和“-”（如 13800138000、010-12345678）",
            field=field,
            code="invalid_phone",
        )
    return value


def _decimal(raw: Any, *, field: str, label: str | None, maximum: Decimal, code: str, unit: str) -> Decimal:
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ValidationFailed(f"{label or '此项'}应为数字", field=field, code=f"invalid_{code}") from None
    if value < 0:
        raise ValidationFailed(f"{label or '此项'}不能为负数", field=field, code=f"negative_{code}")
    if value > maximum:
        raise ValidationFailed(
            f"{label or '此项'}超出合理范围（不超过 {maximum:,} {unit}）",
            field=field,
            code=f"{code}_out_of_range",
        )
    if value != value.quantize(Decimal("0.01")):
        raise ValidationFailed(f"{label or '此项'}最多两位小数", field=field, code=f"invalid_{code}")
    return value.quantize(Decimal("0.01"))


@overload
def money(
    raw: Any, *, field: str, required: Literal[True] = ..., label: str | None = ..., maximum: Decimal = ...
) -> Decimal: ...
@overload
def money(
    raw: Any, *, field: str, required: bool, label: str | None = ..., maximum: Decimal = ...
) -> Decimal | None: ...


def money(
    raw: Any,
    *,
    field: str,
    required: bool = True,
    label: str | None = None,
    maximum: Decimal = MONEY_MAX,
) -> Decimal | None:
    """An amount in yuan: a number with at most two decimals, 0 … ``maximum``."""
    if _blank(raw):
        if required:
            raise _required(field, label)
        return None
    return _decimal(raw, field=field, label=label, maximum=maximum, code="amount", unit="元")


def score(raw: Any, *, field: str, maximum: Decimal | int | str, label: str | None = None) -> Decimal:
    """Points given for an indicator (or any bounded count with two decimals): 0 … ``maximum``.
    Codes ``invalid_points``, ``negative_points``, ``points_out_of_range``."""
    if _blank(raw):
        raise _required(field, label)
    return _decimal(raw, field=field, label=label, maximum=Decimal(str(maximum)), code="points", unit="分")


@overload
def area(
    raw: Any, *, field: str, required: Literal[True] = ..., label: str | None = ..., maximum: Decimal = ...
) -> Decimal: ...
@overload
def area(
    raw: Any, *, field: str, required: bool, label: str | None = ..., maximum: Decimal = ...
) -> Decimal | None: ...


def area(
    raw: Any, *, field: str, required: bool = True, label: str | None = None, maximum: Decimal = AREA_MAX
) -> Decimal | None:
    """An area in m²: a number with at most two decimals, 0 … ``maximum``."""
    if _blank(raw):
        if required:
            raise _required(field, label)
        return None
    return _decimal(raw, field=field, label=label, maximum=maximum, code="area", unit="平方米")


def month_window(on: date | None = None) -> tuple[date, date]:
    """The first and last month the platform accepts (settings ``JIUZHU_MONTHS_BACK`` and
    ``JIUZHU_MONTHS_AHEAD``, counted from this month)."""
    on = on or today()
    back = getattr(settings, "JIUZHU_MONTHS_BACK", 120)
    ahead = getattr(settings, "JIUZHU_MONTHS_AHEAD", 12)

    def shift(n: int) -> date:
        k = on.year * 12 + on.month - 1 + n
        return date(k // 12, k % 12 + 1, 1)

    return shift(-back), shift(ahead)


@overload
def month(raw: Any, *, field: str = ..., required: Literal[True] = ...) -> date: ...
@overload
def month(raw: Any, *, field: str = ..., required: bool) -> date | None: ...


def month(raw: Any, *, field: str = "month", required: bool = True) -> date | None:
    """A month as ``YYYY-MM`` (or a date; the day is dropped) within the configured window.
    Returns the first day of the month."""
    if _blank(raw):
        if required:
            raise _required(field, "月份")
        return None
    if isinstance(raw, date):
        value = date(raw.year, raw.month, 1)
    else:
        m = _MONTH.match(str(raw).strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise ValidationFailed("月份应写作 YYYY-MM（如 2026-03）", field=field, code="invalid_month")
        value = date(int(m.group(1)), int(m.group(2)), 1)
    first, last = month_window()
    if not first <= value <= last:
        raise ValidationFailed(
            f"月份 {value:%Y-%m} 不在可办理范围（{first:%Y-%m} 至 {last:%Y-%m}）内",
            field=field,
            code="month_out_of_range",
        )
    return value


# --- pydantic / ninja types ------------------------------------------------------------------


def _field(info: ValidationInfo, default: str) -> str:
    return info.field_name or default


def _pyd(fn, default_field: str, **kwargs):
    def validate(raw, info: ValidationInfo):
        return fn(raw, field=_field(info, default_field), **kwargs)

    return BeforeValidator(validate)


# The ``Field`` beside each validator only states the bound in the OpenAPI document (``maxLength``,
# ``minimum``/``maximum``): the validator before it has already refused what breaks it, with the
# platform's own code and message.
IdNumber = Annotated[str, Field(max_length=18), _pyd(id_number, "id_number")]
PastDate = Annotated[date, _pyd(past_date, "date")]
Phone = Annotated[str, Field(max_length=PHONE_MAX), _pyd(phone, "phone")]
Money = Annotated[Decimal, Field(ge=0, le=MONEY_MAX), _pyd(money, "amount")]
Area = Annotated[Decimal, Field(ge=0, le=AREA_MAX), _pyd(area, "area")]
Month = Annotated[date, _pyd(month, "month")]


@dataclass(frozen=True)
class Bounded(GroupedMetadata):
    """``name: Annotated[str, Bounded(50)]`` — bounded text without control characters.

    Metadata rather than a type, so that the type checker sees ``str`` (``Text(50)`` is a call,
    which no checker accepts as an annotation); pydantic unpacks it into the bound stated in
    the OpenAPI document and the validator that raises ``ValidationFailed``.
    """

    max_length: int
    required: bool = True
    multiline: bool = False

    def __iter__(self) -> Iterator[Any]:
        yield Field(max_length=self.max_length)
        yield _pyd(text, "text", max_length=self.max_length, required=self.required, multiline=self.multiline)


def Text(max_length: int, *, required: bool = True, multiline: bool = False) -> Any:
    """``name: Text(50)`` — the same as ``Annotated[str, Bounded(50)]``, for schemas not yet
    checked by mypy (new code writes the ``Annotated`` form)."""
    return Annotated[str, Bounded(max_length, required=required, multiline=multiline)]


def OptionalMoney(*, maximum: Decimal = MONEY_MAX) -> Any:
    """``amount: OptionalMoney() = None`` — an amount that may be left out (``None``); with the
    default maximum, write ``OptionalAmount`` (a type the checker reads)."""
    return Annotated[
        Decimal | None, Field(ge=0, le=maximum), _pyd(money, "amount", required=False, maximum=maximum)
    ]


OptionalAmount = Annotated[
    Decimal | None, Field(ge=0, le=MONEY_MAX), _pyd(money, "amount", required=False, maximum=MONEY_MAX)
]

# Free text of a TextField (reasons, findings, minutes, notes): line breaks kept, ≤ NOTE_MAX.
Note = Annotated[str, Bounded(NOTE_MAX, required=False, multiline=True)]


# --- query and path parameters of the API ---------------------------------------------------
# A parameter out of its bounds is 422 in the API's error shape (``invalid_request``, the field,
# the Chinese reason; ``errors[0].type`` is the reason's code, e.g. ``month_out_of_range``). The
# bounds move with the calendar, so the OpenAPI document carries a marker (``WINDOW_KEY``) that
# ``jiuzhu.common.openapi`` replaces by the exact pattern or range of the day: a client (and
# schemathesis) knows the window before it asks.

WINDOW_KEY = "x-jiuzhu-window"
_MONTH_PARAM = re.compile(r"^(\d{4})-(\d{2})(-01)?$")
_DATE_PARAM = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_window(on: date | None = None) -> tuple[date, date]:
    """The dates a query may name: the whole years of ``month_window``."""
    first, last = month_window(on)
    return date(first.year, 1, 1), date(last.year, 12, 31)


def month_param(raw: Any, *, field: str = "month") -> date:
    """A month parameter: exactly ``YYYY-MM`` (or ``YYYY-MM-01``) within ``month_window``."""
    if not isinstance(raw, date) and not _MONTH_PARAM.match(str(raw)):
        raise ValidationFailed("月份应写作 YYYY-MM（如 2026-03）", field=field, code="invalid_month")
    return month(raw, field=field)


def date_param(raw: Any, *, field: str = "date") -> date:
    """A date parameter: ISO ``YYYY-MM-DD`` within ``date_window``."""
    if not isinstance(raw, date):
        if not _DATE_PARAM.match(str(raw)):
            raise ValidationFailed("日期应写作 YYYY-MM-DD（如 2026-03-01）", field=field, code="invalid_date")
        raw = parse_date(raw, field=field)
    first, last = date_window()
    if not first <= raw <= last:
        raise ValidationFailed(
            f"日期 {raw.isoformat()} 不在可查询范围（{first.isoformat()} 至 {last.isoformat()}）内",
            field=field,
            code="date_out_of_range",
        )
    return raw


def year_param(raw: Any, *, field: str = "year") -> int:
    """A year parameter: within the years of ``month_window``."""
    try:
        value = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None:
        raise ValidationFailed("年份应为四位数字（如 2026）", field=field, code="invalid_year")
    first, last = date_window()
    if not first.year <= value <= last.year:
        raise ValidationFailed(
            f"年份 {value} 不在可查询范围（{first.year} 至 {last.year}）内",
            field=field,
            code="year_out_of_range",
        )
    return value


def _param(fn, default_field: str):
    def validate(raw, info: ValidationInfo):
        try:
            return fn(raw, field=_field(info, default_field))
        except ValidationFailed as exc:  # a parameter, not a business rule: pydantic's 422
            raise PydanticCustomError(exc.code, "{reason}", {"reason": exc.message}) from None

    return BeforeValidator(validate)


MonthParam = Annotated[
    date, _param(month_param, "month"), WithJsonSchema({"type": "string", WINDOW_KEY: "month"})
]
DateParam = Annotated[
    date, _param(date_param, "date"), WithJsonSchema({"type": "string", WINDOW_KEY: "date"})
]
YearParam = Annotated[
    int, _param(year_param, "year"), WithJsonSchema({"type": "integer", WINDOW_KEY: "year"})
]

# The largest row id either database holds (SQLite's INTEGER, PostgreSQL's bigint). Every id in a
# path, a query or a body is this type: beyond it SQLite cannot even bind the value
# (OverflowError, a 500), so it is refused as a 422 before any query; an id within it that
# names nothing is the endpoint's 404.
ID_MAX = 2**63 - 1


def _bounded_id(value: int) -> int:
    if not 1 <= value <= ID_MAX:
        raise PydanticCustomError(
            "id_out_of_range", "编号应为 1 至 {maximum} 之间的整数", {"maximum": ID_MAX}
        )
    return value


Id = Annotated[
    int,
    AfterValidator(_bounded_id),
    WithJsonSchema({"type": "integer", "minimum": 1, "maximum": ID_MAX, "description": "编号（正整数）"}),
]


def window_schema(kind: str, on: date | None = None) -> dict:
    """The JSON Schema of a windowed parameter as of ``on``: a pattern naming exactly the months
    (``month``) or valid dates (``date``) of the window, or the range of years."""
    first, last = date_window(on)
    if kind == "year":
        return {"type": "integer", "minimum": first.year, "maximum": last.year}
    if kind == "month":
        m_first, m_last = month_window(on)
        months, k = [], m_first.year * 12 + m_first.month - 1
        while k <= m_last.year * 12 + m_last.month - 1:
            months.append(f"{k // 12:04d}-{k % 12 + 1:02d}")
            k += 1
        return {
            "type": "string",
            "pattern": f"^({'|'.join(months)})(-01)?$",
            "description": f"月份 YYYY-MM，{months[0]} 至 {months[-1]}",
        }
    years = [str(y) for y in range(first.year, last.year + 1)]
    leap = [y for y in years if int(y) % 4 == 0 and (int(y) % 100 != 0 or int(y) % 400 == 0)]
    day = r"(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31"
    pattern = f"({'|'.join(years)})-({day})"
    if leap:
        pattern = f"{pattern}|({'|'.join(leap)})-02-29"
    return {
        "type": "string",
        "pattern": f"^({pattern})$",
        "description": f"日期 YYYY-MM-DD，{first.isoformat()} 至 {last.isoformat()}",
    }


# --- the same rules over a whole file (polars) -------------------------------------------------


def frame_control_chars(expr, *, multiline: bool = False):
    """True where the text holds a control character."""
    return expr.str.contains(CONTROL_CHARS_MULTILINE if multiline else CONTROL_CHARS)


def frame_too_long(expr, max_length: int):
    return expr.str.len_chars() > max_length


def frame_bad_phone(expr):
    return (expr.str.len_chars() > PHONE_MAX) | ~expr.str.contains(PHONE_PATTERN)


def frame_date_in_future(expr, *, on: date | None = None):
    """True where a date of a fact (``past_date``) lies after today."""
    return expr > (on or today())


def frame_date_too_early(expr):
    return expr < EARLIEST


def frame_amount_too_large(cents_expr, *, maximum: Decimal = MONEY_MAX):
    """``cents_expr``: the amount in integer cents (hundredths)."""
    return cents_expr > int(maximum * 100)


def frame_bad_id_number(expr, *, on: date | None = None):
    """True where a present ID number fails ``id_number``: not 18 digits (last may be X) or
    15 digits, a birth date that does not exist, lies after today or before ``EARLIEST``, or a
    wrong check character (18 digits)."""
    import polars as pl

    raw = expr.str.strip_chars().str.to_uppercase()
    is18 = raw.str.contains(r"^\d{17}[\dX]$")
    is15 = raw.str.contains(r"^\d{15}$")
    birth = (
        pl.when(is15).then(pl.lit("19") + raw.str.slice(6, 6)).otherwise(raw.str.slice(6, 8))
    ).str.to_date("%Y%m%d", strict=False)
    total = pl.sum_horizontal(
        [raw.str.slice(k, 1).cast(pl.Int32, strict=False) * w for k, w in enumerate(idnumber.WEIGHTS)]
    )
    check = (total % 11).replace_strict(
        dict(enumerate(idnumber.CHECK_CHARS)), default=None, return_dtype=pl.String
    )
    ok = (is15 | (is18 & (check == raw.str.slice(17, 1)))) & (birth >= EARLIEST) & (birth <= (on or today()))
    return ~ok.fill_null(False)
