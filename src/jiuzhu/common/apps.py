from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "jiuzhu.common"
    label = "common"
    verbose_name = "公共"
