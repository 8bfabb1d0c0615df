from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "jiuzhu.payments"
    label = "payments"
    verbose_name = "资金发放与台账"

    def ready(self):
        # decisions (below payments) recovers what a fraud obtained: payments tells it what was paid
        from jiuzhu.decisions import fraud
        from jiuzhu.decisions import views as decision_views

        from .selectors import household_accounts, paid_since

        fraud.register_paid_since(paid_since)
        # and the case page shows the payee's account as payments shows it to that reader
        decision_views.register_account_reader(household_accounts)
