from django.apps import AppConfig


class HousingConfig(AppConfig):
    name = "jiuzhu.housing"
    verbose_name = "住房救助"

    def ready(self):
        # intake (below this app) grants the rent subsidy through the unit's feedback: this app
        # hands it the exclusive-options check rather than intake importing housing
        from jiuzhu.intake import grant_checks

        from .selectors import RENT
        from .services import refuse_other_option

        grant_checks.register(RENT, refuse_other_option)
