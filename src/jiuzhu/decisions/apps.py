from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "jiuzhu.decisions"
    label = "decisions"
    verbose_name = "审核确认"
