from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "jiuzhu.housing"
    verbose_name = "住房救助"
