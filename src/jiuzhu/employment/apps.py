from django.apps import AppConfig


class EmploymentConfig(AppConfig):
    name = "jiuzhu.employment"
    verbose_name = "就业救助"

    def ready(self):
        # the registry (below this app) reads the offers and answers as member facts for the
        # dibao rules: this app hands it the reader rather than the registry importing it
        from jiuzhu.registry import programme_facts

        from .selectors import member_facts

        programme_facts.register("employment", member_facts)
