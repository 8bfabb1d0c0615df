"""Each installed area's module of a given name: its ``worklist`` (home-page queues), its
``selectors`` (chain entries), its ``demo`` (seed). Found the Django way, as the admin finds
each app's ``admin.py``: ``autodiscover_modules`` imports ``<app>.<name>`` for every installed
app that has one; an app without it is skipped, an error inside one that exists is raised."""

from __future__ import annotations

import sys
from types import ModuleType

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


def installed_modules(name: str) -> dict[str, ModuleType]:
    """``{area: module}`` for the platform's apps (``jiuzhu.<area>``) that have a module
    ``name``, in ``INSTALLED_APPS`` order."""
    autodiscover_modules(name)
    found: dict[str, ModuleType] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("jiuzhu."):
            continue
        module = sys.modules.get(f"{config.name}.{name}")
        if module is not None:
            found[config.name.removeprefix("jiuzhu.")] = module
    return found
