from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "jiuzhu.supervision"
    label = "supervision"
    verbose_name = "联席会议与监督"

    def ready(self):
        # performance (below supervision) scores units and shows KPIs: supervision hands it
        # its misconduct deductions and its own KPI dict rather than being looked up by name
        from jiuzhu.performance import evaluation
        from jiuzhu.performance import selectors as performance

        from . import selectors

        evaluation.register_misconduct(selectors.misconduct_for)
        performance.register("supervision", selectors.kpi_supervision)
