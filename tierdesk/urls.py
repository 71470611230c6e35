from django.contrib import admin
from django.urls import path

from tierdesk.api.urls import api
from tierdesk.common.health import healthz, readyz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
