import importlib

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .api import api

urlpatterns = [
    # The admin signs in like everyone else (password, then the second factor): its own
    # password-only log-in page would skip the second step.
    path("admin/login/", RedirectView.as_view(pattern_name="registry:login", query_string=True)),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
# Each app with a urls.py is mounted: registry at the root (log-in, home, search), the rest
# under their own name.
for _app in settings.INSTALLED_APPS:
    if not _app.startswith("jiuzhu."):
        continue
    try:
        importlib.import_module(f"{_app}.urls")
    except ModuleNotFoundError as exc:
        if exc.name != f"{_app}.urls":
            raise
        continue
    label = _app.split(".")[1]
    prefix = "" if label in ("registry", "common") else f"{label}/"
    urlpatterns.append(path(prefix, include(f"{_app}.urls")))
