from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "jiuzhu.screening"
    label = "screening"

    def ready(self):
        # charity (below screening) offers help for open omission alerts: screening hands it the
        # reader rather than charity importing screening
        from jiuzhu.charity import matching

        from .selectors import open_omissions

        matching.register_omission_alerts(open_omissions)
