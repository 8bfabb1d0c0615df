"""An area's module of a given name is found for every installed app that has one, in the
order of INSTALLED_APPS; an app without it is left out."""

from django.conf import settings

from jiuzhu.common.discovery import installed_modules


def test_every_installed_area_with_the_module_in_settings_order():
    found = installed_modules("selectors")
    assert found["registry"].__name__ == "jiuzhu.registry.selectors"
    assert hasattr(found["intake"], "chain_entries")
    order = [app.removeprefix("jiuzhu.") for app in settings.INSTALLED_APPS if app.startswith("jiuzhu.")]
    assert list(found) == [area for area in order if area in found]
    assert "config" not in found  # not an app with selectors


def test_a_name_no_area_has_finds_nothing():
    assert installed_modules("no_such_module") == {}
    demos = installed_modules("demo")
    assert "intake" in demos and "common" not in demos and all(hasattr(m, "seed") for m in demos.values())
