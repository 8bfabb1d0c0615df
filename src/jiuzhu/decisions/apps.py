from django.apps import AppConfig


class DecisionsConfig(AppConfig):
    name = "jiuzhu.decisions"
    label = "decisions"
    verbose_name = "审核确认"

    def ready(self):
        # verification (below decisions) re-checks current recipients: decisions tells it who
        # they are rather than verification importing decisions
        from jiuzhu.verification import selectors as verification

        from . import intake_port
        from .selectors import verification_recipients

        verification.register_recipients(verification_recipients)
        # intake (below decisions) creates entitlements and runs grant control through its port
        intake_port.install()
