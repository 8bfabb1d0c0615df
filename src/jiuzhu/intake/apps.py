from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "jiuzhu.intake"
    label = "intake"
    verbose_name = "一门受理、协同办理"
