from django.urls import path

from waymark.medications import views

app_name = "medications"
urlpatterns = [
    path("patients/<uuid:patient_id>/medications/", views.medication_list, name="list"),
    path("patients/<uuid:patient_id>/medications/new/", views.new_medication, name="new"),
    path(
        "patients/<uuid:patient_id>/medications/<int:medication_id>/edit/",
        views.edit_medication,
        name="edit",
    ),
]
