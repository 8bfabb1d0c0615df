"""The OpenAPI document as a generated client needs it.

- **One component per schema.** ninja names a component after the class alone and merges every
  app's ``HouseholdIn`` into whichever came last, so ``POST /api/eligibility/evaluate`` was documented
  with the registry's household. Here each component of a ``jiuzhu.<app>`` module is named
  ``<App><Class>`` (``PolicyHouseholdIn``, ``RegistryHouseholdIn``; shared ``jiuzhu.common`` schemas
  keep their bare name), and a name that would still stand for two different schemas (the same class
  read and written differently, e.g. Decimal in and out) gets an ``Input``/``Output`` suffix.
- **Every operation lists the errors it returns**, all in the one shape ``ErrorOut``: what the
  router declared, plus what the platform itself answers — 401 (not logged in) and 403 (role, scope or
  CSRF) where log-in is required, 422 (a parameter or body that does not parse) where there is input,
  404 where the path names a record, 400/409 for writes (a service's ``ValidationFailed``/
  ``Conflict``), 400 for reads, and 500.
"""

from __future__ import annotations

import re
from typing import Any

from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema, flatten_properties
from ninja.schema import NinjaGenerateJsonSchema
from pydantic.json_schema import DefsRef

from .schemas import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"


_APP = re.compile(r"^jiuzhu\.([a-z_]+)\.")


class NamespacedJsonSchema(NinjaGenerateJsonSchema):
    """Component names prefixed with the app of the class (``jiuzhu.policy.api.HouseholdIn`` →
    ``PolicyHouseholdIn``)."""

    def get_defs_ref(self, core_mode_ref):
        key = super().get_defs_ref(core_mode_ref)
        match = _APP.match(core_mode_ref[0])
        if match and match.group(1) not in ("common", "config"):
            prefix = match.group(1).title().replace("_", "")
            choices = self._prioritized_defsref_choices[key]
            choices[0] = DefsRef(prefix + choices[0])  # name
            choices[1] = DefsRef(prefix + choices[1])  # name-Mode (both modes in one schema)
        return key


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str) and v.rsplit("/", 1)[-1] in renames:
                v = REF_TEMPLATE.format(model=renames[v.rsplit("/", 1)[-1]])
            out[k] = _rename_refs(v, renames)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


class JiuzhuOpenAPISchema(OpenAPISchema):
    def __init__(self, api, path_prefix: str) -> None:
        super().__init__(api, path_prefix)
        error = _model_schema(ErrorOut, "serialization")
        self.schemas.update(error.pop("$defs"))
        error.pop("_mode")
        self.schemas["ErrorOut"] = error
        self["paths"] = _fill_windows(self["paths"])
        for name, component in list(self.schemas.items()):
            self.schemas[name] = _fill_windows(component)
        for methods in self["paths"].values():
            for method, op in methods.items():
                _document_errors(method, op)
        _prune(self["paths"], self.schemas)

    # The two methods below are ninja's, with the namespaced generator and the collision check.
    def _extract_parameters(self, model) -> list[dict]:
        schema = self._unique(_model_schema(model, "validation"))
        required = set(schema.get("required", []))
        result = []
        for name, details in schema["properties"].items():
            for p_name, p_schema, p_required in flatten_properties(
                name, details, name in required, schema.get("$defs", {})
            ):
                if not p_schema.get("include_in_schema", True):
                    continue
                param = {
                    "in": model.__ninja_param_source__,
                    "name": p_name,
                    "schema": p_schema,
                    "required": p_required,
                }
                for key in ("description", "examples", "example", "deprecated"):
                    if key in p_schema:
                        param[key] = p_schema[key]
                result.append(param)
        return result

    def _create_schema_from_model(self, model, by_alias=True, remove_level=True, mode="validation"):
        if hasattr(model, "__ninja_flatten_map__"):
            schema = self._flatten_schema(model)
        else:
            schema = self._unique(_model_schema(model, mode, by_alias=by_alias))
        schema.pop("$defs", None)
        if remove_level and len(schema["properties"]) == 1:
            name, details = next(iter(schema["properties"].items()))
            return details, name in schema.get("required", {})
        return schema, True

    def _unique(self, schema: dict) -> dict:
        """Add ``schema``'s definitions to the components; a name already taken by a different
        schema is renamed (and every reference to it rewritten) until no two differ."""
        defs = schema.get("$defs", {})
        suffix = "Output" if schema.get("_mode") == "serialization" else "Input"
        schema.pop("_mode", None)
        while True:
            clash = [n for n, d in defs.items() if n in self.schemas and self.schemas[n] != d]
            if not clash:
                break
            renames = {}
            for name in clash:
                candidate, n = name + suffix, 2
                while candidate in defs or (
                    candidate in self.schemas and self.schemas[candidate] != defs[name]
                ):
                    candidate, n = f"{name}{suffix}{n}", n + 1
                renames[name] = candidate
            schema = _rename_refs(schema, renames)
            defs = {renames.get(k, k): v for k, v in schema.get("$defs", {}).items()}
            schema["$defs"] = defs
        self.schemas.update(defs)
        return schema


def _model_schema(model, mode, by_alias=True) -> dict:
    schema = model.model_json_schema(
        ref_template=REF_TEMPLATE, by_alias=by_alias, schema_generator=NamespacedJsonSchema, mode=mode
    ).copy()
    schema["_mode"] = mode
    return schema


_DESCRIPTIONS = {
    400: "请求内容不符合业务规则（ValidationFailed）",
    401: "未登录",
    403: "角色、范围或 CSRF 校验不允许",
    404: "记录不存在或不在可见范围",
    409: "与当前状态冲突（并发、重复或非法流转）",
    422: "参数或请求体不能解析或超出范围",
    500: "服务器内部错误（已记入日志，凭 request_id 查询）",
}


# The edge (``jiuzhu.common.requests``) refuses control characters in the path and query with 422;
# the document says so, so a client (and schemathesis) knows before it asks.
NO_CONTROL = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]*$"


def _document_no_control(op: dict) -> None:
    for param in op.get("parameters", []):
        schema = param.get("schema", {})
        for branch in [schema, *schema.get("anyOf", [])]:
            if branch.get("type") == "string" and not {"pattern", "enum", "format"} & set(branch):
                branch["pattern"] = NO_CONTROL


def _fill_windows(node: Any) -> Any:
    """A copy of ``node`` with each windowed value's marker (``values.MonthParam``, ``DateParam``,
    ``YearParam``, in parameters and bodies) replaced by its bounds as of today. A copy, because
    pydantic may hand out the marker dict itself, which must stay for tomorrow's document."""
    from . import values

    if isinstance(node, dict):
        out = {k: _fill_windows(v) for k, v in node.items() if k != values.WINDOW_KEY}
        if values.WINDOW_KEY in node:
            out.update(values.window_schema(node[values.WINDOW_KEY]))
        return out
    if isinstance(node, list):
        return [_fill_windows(v) for v in node]
    return node


def _document_errors(method: str, op: dict) -> None:
    _document_no_control(op)
    codes = {500}
    if op.get("security"):
        codes |= {401, 403}
    if op.get("parameters") or op.get("requestBody"):
        codes |= {400, 422}
    if any(p.get("in") == "path" for p in op.get("parameters", [])):
        codes.add(404)
    if op.get("security"):
        codes.add(400)
        if method != "get":
            codes |= {404, 409}
    responses = op["responses"]
    for code in sorted(codes):
        responses.setdefault(code, {"description": _DESCRIPTIONS[code]})
    for code, response in responses.items():
        if int(code) >= 400:
            response["content"] = {"application/json": {"schema": {"$ref": ERROR_REF}}}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                found.add(v.rsplit("/", 1)[-1])
            else:
                _refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _refs(v, found)


def _prune(paths: dict, schemas: dict) -> None:
    """Drop components no operation refers to any more (the apps' own error schemas, replaced by
    ``ErrorOut``), so the document holds no stale look-alikes."""
    used: set[str] = set()
    _refs(paths, used)
    todo = list(used)
    while todo:
        found: set[str] = set()
        _refs(schemas.get(todo.pop(), {}), found)
        todo += [n for n in found - used]
        used |= found
    for name in set(schemas) - used:
        del schemas[name]
