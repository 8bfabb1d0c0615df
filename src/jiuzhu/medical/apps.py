from django.apps import AppConfig


class MedicalConfig(AppConfig):
    name = "jiuzhu.medical"
    verbose_name = "医疗救助"

    def ready(self):
        # decisions (below medical) caps medical grants per person and year counting what the
        # settlements paid: medical hands it the reader rather than decisions importing medical
        from jiuzhu.decisions import grant_limits

        from .selectors import person_year_paid

        grant_limits.register_settled_reader(person_year_paid)
        # the rules read what the platform paid a person this year through the registry's reader
        from jiuzhu.registry import programme_facts

        from .selectors import member_facts

        programme_facts.register("medical", member_facts)
