from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "jiuzhu.payments"
    label = "payments"
    verbose_name = "资金发放与台账"
