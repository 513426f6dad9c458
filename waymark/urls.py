from django.contrib import admin
from django.urls import include, path

from waymark import views
from waymark.accounts import views as account_views
from waymark.api import api
from waymark.organizations import views as organization_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("help/", organization_views.help_now, name="help"),
    path("help/offline/", organization_views.help_offline, name="help_offline"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("waymark.accounts.urls")),
    path("", include("waymark.patients.urls")),
    path("", include("waymark.audit.urls")),
    path("", include("waymark.alerts.urls")),
    path("", include("waymark.checkins.urls")),
    path("", include("waymark.questionnaires.urls")),
    path("", include("waymark.notifications.urls")),
    path("", include("waymark.notes.urls")),
    path("", include("waymark.medications.urls")),
    path("", include("waymark.plans.urls")),
    path("", include("waymark.content.urls")),
    path("", include("waymark.rights.urls")),  # issue 12 point 9: patient data rights
    path("", include("waymark.support.urls")),  # issue 14: supporters and consent
    path("", include("waymark.appointments.urls")),  # issue 17: appointments and groups
    path("", include("waymark.outcomes.urls")),  # issue 18: outcomes dashboard
    path("", include("waymark.messaging.urls")),  # issue 17: messages with the care team
    path("", include("waymark.meetings.urls")),  # issue 17: mutual-help meetings
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# Issue 12, point 5: under /api/ an unknown path (and a crash) answers in the one JSON shape;
# issue 15 point 5: pages answer with kind words and "Get help now".
handler403 = "waymark.views.permission_denied"
handler404 = "waymark.views.not_found"
handler500 = "waymark.views.server_error"
