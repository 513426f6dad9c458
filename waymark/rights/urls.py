from django.urls import path

from waymark.rights import views

app_name = "rights"
urlpatterns = [
    path("me/data/record.json", views.export_json, name="export_json"),
    path("me/data/record.fhir.json", views.export_fhir, name="export_fhir"),
    path(
        "patients/<uuid:patient_id>/record.fhir.json",
        views.patient_export_fhir,
        name="patient_export_fhir",
    ),
    path("patients/<uuid:patient_id>/account/", views.manage, name="manage"),
    path("patients/<uuid:patient_id>/account/close/", views.close, name="close"),
    path("patients/<uuid:patient_id>/account/legal-hold/", views.legal_hold, name="legal_hold"),
    path("patients/<uuid:patient_id>/account/erase/", views.erase, name="erase"),
]
