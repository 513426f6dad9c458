from django.urls import path

from waymark.alerts import views

app_name = "alerts"
urlpatterns = [
    path("alerts/", views.inbox, name="inbox"),
    path("alerts/<int:alert_id>/", views.detail, name="detail"),
    path(
        "alerts/<int:alert_id>/<str:step>/",
        views.act,
        name="act",
    ),
]
