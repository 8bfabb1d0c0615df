"""Labels of the KPI keys: the groups of ``city_kpis`` / ``unit_kpis`` and every named figure
the areas' KPI selectors return (their docstrings say what each counts)."""

from jiuzhu.common import labels

from .selectors import FIGURES, KPI_LABELS

FIGURE_LABELS = {
    **FIGURES,
    # intake (performance.kpis)
    "refusal_reasons": "不予救助原因",
    "avg_days": "平均办理工作日",
    "p90_days": "90%事项办结工作日",
    "on_time_rate": "按时办结率（%）",
    "recipients": "救助对象人数",
    "monitored": "低收入人口监测人数",
    "coverage_rate": "低收入人口救助覆盖率（%）",
    "open_at_end": "期末未办结",
    "open_overdue_at_end": "期末超期未办结",
    "overdue_open_rate": "超期未办结率（%）",
    "snapshot": "月度快照",
    "live": "实时计算",
    # decisions
    "cases_opened": "新开审核确认案件",
    "cases_decided": "审核确认办结",
    "approved": "批准",
    "decided_on_time": "按时审批",
    "decided_late": "超期审批",
    "open_overdue": "超期未办结案件",
    "objections_received": "收到公示异议",
    "objections_upheld": "异议成立",
    "avg_working_days": "平均审批工作日",
    "reviews_signed": "定期复核确认",
    "reviews_stopped": "复核后停保",
    # funds
    "budget": "年度预算（元）",
    "paid": "已发放金额（元）",
    "paid_lines": "已发放笔数",
    "paid_on_time": "按时发放笔数",
    "paid_late": "延迟发放笔数",
    "failed_lines": "银行退回笔数",
    "held_lines": "暂停发放笔数",
    "recovery_due": "待追回金额（元）",
    "execution_rate": "预算执行率（%）",
    # alerts
    "alerts_raised": "新增预警",
    "alerts_resolved": "已处理预警",
    "alerts_confirmed": "核实属实",
    "alerts_false_positive": "误报",
    "alerts_resolved_on_time": "按时处理预警",
    "alerts_overdue": "超期处理预警",
    "alerts_open": "未处理预警",
    "alerts_on_time_rate": "预警按时处理率（%）",
    # supervision
    "accountability_records": "问责记录",
    "complaints_received": "收到投诉举报",
    "complaints_closed": "办结投诉举报",
    "complaints_closed_on_time": "按时办结投诉举报",
    "complaints_confirmed": "投诉属实",
    "complaints_overdue": "超期投诉举报",
    "complaints_on_time_rate": "投诉按时办结率（%）",
    "directives_assigned": "交办事项",
    "directives_closed": "交办事项办结",
    "directives_closed_on_time": "交办事项按时办结",
    "directives_overdue": "交办事项超期",
    "directives_on_time_rate": "交办事项按时办结率（%）",
    "meetings_held": "召开联席会议",
    "misconduct_points": "违规扣分",
    # charity
    "cash_paid": "慈善资金发放（元）",
    "donations_received": "收到捐赠",
    "goods_issued": "发放物资",
    "referrals_accepted": "转介已接收",
    "referrals_declined": "转介已婉拒",
    "referrals_delivered": "转介已帮扶",
    "referrals_made": "转介慈善力量",
    "referrals_overdue": "转介超期",
    "volunteer_hours": "志愿服务时长",
    # indicators
    "objections_upheld_rate": "异议成立率（%）",
    "funds_on_time_rate": "资金按时发放率（%）",
}

labels.register("kpi", {**KPI_LABELS, **FIGURE_LABELS})
