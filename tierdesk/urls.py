from django.contrib import admin
from django.urls import include, path

from tierdesk.api.urls import api
from tierdesk.common.health import healthz, readyz
from tierdesk.common.metrics import metrics_view
from tierdesk.incidents.views import status_json, status_page

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("status", status_page, name="status"),
    path("status.json", status_json, name="status-json"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("", include("tierdesk.chat.urls")),
    path("", include("tierdesk.web.urls")),
]
