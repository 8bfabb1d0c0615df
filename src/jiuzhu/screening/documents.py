"""The Excel report of the alerts a user may see (masked per role, the export logged)."""

from __future__ import annotations

from jiuzhu.common.exports import Sheet, write_xlsx

from .selectors import alert_view, overview

COLUMNS = [
    ("编号", "id"),
    ("类型", "kind_name"),
    ("规则", "rule_name"),
    ("严重程度", "severity_name"),
    ("责任单位", "unit"),
    ("家庭编号", "household"),
    ("人员", "person"),
    ("身份证号码", "person_id_number"),
    ("摘要", "summary"),
    ("预警日期", "raised_on"),
    ("处理期限", "due_on"),
    ("状态", "status_name"),
    ("处理措施", "action"),
    ("处理日期", "resolved_on"),
    ("处理说明", "resolution_note"),
]


def alerts_workbook(qs, role: str) -> bytes:
    """The alerts of ``qs`` as seen by ``role`` (masked as on the screen) and their summary by
    kind, rule and owning unit, through the common writer (formula text kept as text)."""

    def lines():
        for alert in qs.iterator(chunk_size=1000):
            v = alert_view(alert, role)
            records = "；".join(str(x) for x in v["evidence"].get("records", []) or [])
            yield [v[k] for _, k in COLUMNS] + [records]

    ov = overview(qs)
    return write_xlsx(
        [
            Sheet(title="预警清单", header=[c for c, _ in COLUMNS] + ["证据"], rows=lines()),
            Sheet(
                title="按类型汇总",
                header=["类型", "待处理", "已核实", "误报"],
                rows=[[name, c["open"], c["confirmed"], c["false_positive"]] for name, c in ov["by_kind"]],
            ),
            Sheet(title="按规则汇总", header=["规则", "预警数"], rows=[list(r) for r in ov["by_rule"]]),
            Sheet(
                title="按责任单位汇总",
                header=["责任单位", "待处理", "其中逾期"],
                rows=[list(r) for r in ov["by_unit"]],
            ),
        ]
    )
