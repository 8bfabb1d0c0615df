from django.apps import AppConfig


class DisasterConfig(AppConfig):
    name = "jiuzhu.disaster"
    label = "disaster"
    verbose_name = "受灾人员救助"
