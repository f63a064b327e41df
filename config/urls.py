from django.contrib import admin
from django.urls import include, path
from django.utils.translation import pgettext_lazy

from .api import api

admin.site.site_header = pgettext_lazy("Quartermaster", "后勤装备管理")
admin.site.site_title = "Quartermaster"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # pages for people (core.pages): each module's pages under its own prefix
    path("", include("core.urls")),
    path("roll/", include("personnel.urls")),
    path("vehicles/", include("vehicles.urls")),
    path("procurement/", include("procurement.urls")),
    path("demand/", include("assets.urls")),
    path("distribution/", include("distribution.urls")),
    path("stations/", include("assets.equipment_urls")),
    path("reports/", include("reports.urls")),
]

# Uploaded and generated files (MEDIA_ROOT) are never served by URL, not even under DEBUG: photos, signed
# sheets and reports leave only through the download views, which check the requester's scope.

# under /api/ the error pages are the API's JSON error shape (core.http_errors)
handler400 = "core.http_errors.bad_request"
handler403 = "core.http_errors.permission_denied"
handler404 = "core.http_errors.page_not_found"
handler500 = "core.http_errors.server_error"
