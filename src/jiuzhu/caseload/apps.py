from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "jiuzhu.caseload"
    label = "caseload"
    verbose_name = "存量导入与变更审核"
