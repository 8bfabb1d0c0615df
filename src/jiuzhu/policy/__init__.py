"""The city's programme catalogue, dated parameters and eligibility/benefit rules.
Pure Python: nothing here but ``api.py`` and ``apps.py`` imports Django."""
