from django.apps import AppConfig


class PerformanceConfig(AppConfig):
    name = "jiuzhu.performance"
    label = "performance"
    verbose_name = "绩效与公开"
    default_auto_field = "django.db.models.BigAutoField"
