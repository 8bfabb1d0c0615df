"""Chinese reasons for the input pydantic (through ninja) refuses before any service runs.

A body or parameter that does not parse or breaks a declared bound (``le``, ``max_length``, a
``Literal``…) is answered 422 by ``config/api.py`` in the platform's error shape; each entry of
``errors`` keeps pydantic's ``type`` as its stable code (``less_than_equal``, ``string_too_long``,
``missing``…) and gets its ``message`` from here, in Chinese, with the bound named
(``不能大于 500``). A reason the platform already wrote in Chinese (``values.MonthParam`` and the
other windowed parameters raise ``PydanticCustomError`` with it) is kept as it is.
"""

from __future__ import annotations

import re
from typing import Any

_CJK = re.compile(r"[\u4e00-\u9fff]")

# pydantic error type -> message (``str.format`` with the error's ``ctx``).
MESSAGES: dict[str, str] = {
    "missing": "此项必填",
    "missing_argument": "此项必填",
    "extra_forbidden": "不接受此字段",
    "none_required": "此项应为空",
    "string_type": "应为文本",
    "string_unicode": "应为有效的文本",
    "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "不能超过 {max_length} 个字",
    "string_pattern_mismatch": "格式不符合要求",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_parsing_size": "整数超出可处理的范围",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_type": '应为数字（金额请写作字符串，如 "1234.50"）',
    "decimal_parsing": "应为数字",
    "decimal_max_digits": "数字位数不能超过 {max_digits} 位",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分不能超过 {whole_digits} 位",
    "decimal_finite": "应为有限的数字",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "不能小于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "不能大于 {le}",
    "multiple_of": "应为 {multiple_of} 的倍数",
    "bool_type": "应为是或否（true/false）",
    "bool_parsing": "应为是或否（true/false）",
    "literal_error": "只能是以下之一：{expected}",
    "enum": "只能是以下之一：{expected}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "日期应写作 YYYY-MM-DD（如 2026-03-01）",
    "date_from_datetime_parsing": "日期应写作 YYYY-MM-DD（如 2026-03-01）",
    "date_from_datetime_inexact": "日期不能带时间",
    "date_past": "日期应早于今天",
    "date_future": "日期应晚于今天",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "日期时间应写作 YYYY-MM-DDTHH:MM:SS",
    "datetime_from_date_parsing": "日期时间应写作 YYYY-MM-DDTHH:MM:SS",
    "time_type": "应为时间",
    "time_parsing": "时间应写作 HH:MM",
    "list_type": "应为列表",
    "tuple_type": "应为列表",
    "set_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dataclass_type": "应为对象",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "json_invalid": "不是合法的 JSON",
    "json_type": "不是合法的 JSON",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "url_type": "应为网址",
    "url_parsing": "应为有效的网址",
    "bytes_type": "应为文件或字节",
    "bytes_too_long": "内容过长",
    "value_error": "不合格",
    "assertion_error": "不合格",
    "union_tag_invalid": "类型不在可选范围内",
    "union_tag_not_found": "缺少类型标记",
    "is_instance_of": "类型不符合要求",
    "callable_type": "类型不符合要求",
    "recursion_loop": "嵌套过深",
}
FALLBACK = "不合格"


def _bound(value: Any) -> str:
    # Decimal('100000000.00') -> 100,000,000.00 reads better than the repr; ints as they are.
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 10000:
        return f"{value:,}"
    return str(value)


def message(error: dict) -> str:
    """The Chinese message for one pydantic error dict (``type``, ``msg``, ``ctx``)."""
    kind, msg = error.get("type", ""), error.get("msg", "")
    if _CJK.search(msg or ""):
        return msg
    template = MESSAGES.get(kind)
    if template is None:
        return FALLBACK
    ctx = {k: _bound(v) for k, v in (error.get("ctx") or {}).items()}
    if "expected" in ctx:  # "'unit', 'window' or 'all'"
        ctx["expected"] = ctx["expected"].replace(" or ", ", ").replace("'", "")
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):
        return template.split("{")[0].rstrip("：: ") or FALLBACK
