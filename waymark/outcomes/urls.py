from django.urls import path

from waymark.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.dashboard, name="dashboard"),
]
