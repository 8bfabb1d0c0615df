"""YAML loading that remembers where each value came from, so a policy-file error can say
file, line and field. Pure: no Django import."""

from __future__ import annotations

from pathlib import Path

import yaml

from jiuzhu.common.errors import PolicyFileError


class LineDict(dict):
    """A mapping that knows the line of each key (1-based): ``d.lines[key]``; ``d.line`` is
    the mapping's own first line."""

    lines: dict
    line: int


class LineList(list):
    line: int


class _Loader(yaml.SafeLoader):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    out = LineDict()
    out.lines = {}
    out.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            raise PolicyFileError(
                f"重复的键 “{key}”",
                field=str(key),
                code="policy_duplicate_key",
                line=key_node.start_mark.line + 1,
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = value_node.start_mark.line + 1
    return out


def _construct_sequence(loader, node, deep=False):
    out = LineList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    return out


class BadScalar(str):
    """A scalar YAML resolved as a date but that is no date (``2025-02-30``): kept as text so
    the validator can report it with its field path; ``line`` says where it was."""

    line: int


def _construct_timestamp(loader, node):
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        out = BadScalar(node.value)
        out.line = node.start_mark.line + 1
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


def load_yaml(path: Path | str):
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyFileError(f"政策文件不存在：{path}", code="policy_file_missing", file=str(path)) from None
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except PolicyFileError as exc:
        exc.params["file"] = str(path)
        exc.message = f"{path}:{exc.params.get('line')}: {exc.message}"
        raise
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PolicyFileError(
            f"{path}:{line}: YAML 语法错误：{getattr(exc, 'problem', exc)}",
            code="policy_yaml_syntax",
            file=str(path),
            line=line,
        ) from None


class Where:
    """Builds errors that name file, line and field."""

    def __init__(self, path: Path | str):
        self.path = str(path)

    def error(self, message: str, *, node=None, key=None, field: str, code: str = "policy_file_invalid"):
        line = None
        if node is not None:
            line = getattr(node, "lines", {}).get(key) if key is not None else None
            line = line or getattr(node, "line", None)
        return PolicyFileError(
            f"{self.path}:{line}: {field}: {message}", field=field, code=code, file=self.path, line=line
        )

    def require(self, node, key, field_prefix: str, types=None):
        field = f"{field_prefix}.{key}" if field_prefix else key
        if not isinstance(node, dict) or key not in node:
            raise self.error("缺少必填项", node=node, field=field, code="policy_missing_field")
        value = node[key]
        if types is not None and not isinstance(value, types):
            names = "/".join(t.__name__ for t in (types if isinstance(types, tuple) else (types,)))
            raise self.error(
                f"类型应为 {names}，实为 {type(value).__name__}",
                node=node,
                key=key,
                field=field,
                code="policy_wrong_type",
            )
        return value
