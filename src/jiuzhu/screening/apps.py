from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "jiuzhu.screening"
    label = "screening"
