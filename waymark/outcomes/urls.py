from django.urls import path

from waymark.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.dashboard, name="dashboard"),
    path("outcomes/export/deidentified.csv", views.export_research, name="research_export"),
    path("outcomes/export/<slug:table>.csv", views.export_table, name="export"),
]
