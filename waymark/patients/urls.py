from django.urls import path

from waymark.patients import views

app_name = "patients"
urlpatterns = [
    path("caseload/", views.caseload, name="caseload"),
    path("patients/<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("patients/<uuid:patient_id>/panels/<slug:name>/", views.record_panel, name="panel"),
    path("me/", views.me, name="me"),
    path(
        "patients/<uuid:patient_id>/transition/<str:kind>/",
        views.transition,
        name="transition",
    ),
    path("census/", views.census, name="census"),
    path("patients/<uuid:patient_id>/timeline/", views.timeline, name="timeline"),
    path("patients/<uuid:patient_id>/print/", views.record_print, name="print"),
    path("patients/<uuid:patient_id>/summary.pdf", views.summary_pdf, name="summary_pdf"),
]
