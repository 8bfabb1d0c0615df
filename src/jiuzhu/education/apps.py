from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "jiuzhu.education"
    verbose_name = "教育救助"
