"""The API's shared schemas: the one error shape every 4xx/5xx answers with
(``{"code","field","message","request_id"}``, see ``config/api.py``'s handler) and the
response map routers declare with it."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class FieldErrorOut(Schema):
    field: str = Field(..., description="出错的参数或字段（点分路径）")
    message: str
    type: str = Field(..., description="pydantic 错误类型，如 missing、int_parsing")


class ErrorOut(Schema):
    """Every 4xx and 5xx of the API."""

    code: str = Field(..., description="稳定的错误代码，供程序判断", examples=["not_found"])
    field: str | None = Field(..., description="出错的字段；与字段无关时为 null")
    message: str = Field(..., description="给人看的说明（中文）")
    request_id: str = Field(..., description="请求编号，与响应头 X-Request-ID 及日志一致")
    errors: list[FieldErrorOut] | None = Field(None, description="422：每个不合格的参数或字段")


# 400 rule broken, 401 not logged in, 403 role or scope refused, 404 unknown, 409 lost a race or
# stale, 422 input that does not parse: ``response={200: XOut, **ERRORS}``.
ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}
