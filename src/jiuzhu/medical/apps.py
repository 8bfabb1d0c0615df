from django.apps import AppConfig


class MedicalConfig(AppConfig):
    name = "jiuzhu.medical"
    verbose_name = "医疗救助"
