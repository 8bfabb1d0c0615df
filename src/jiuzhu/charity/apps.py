from django.apps import AppConfig


class CharityConfig(AppConfig):
    name = "jiuzhu.charity"
    label = "charity"
    verbose_name = "社会力量参与"
