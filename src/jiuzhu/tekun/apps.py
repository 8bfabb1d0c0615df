from django.apps import AppConfig


class TekunConfig(AppConfig):
    name = "jiuzhu.tekun"
    verbose_name = "特困人员供养"
