from django.urls import path

from waymark.notes import views

app_name = "notes"
urlpatterns = [
    path("patients/<uuid:patient_id>/notes/", views.note_list, name="list"),
    path("patients/<uuid:patient_id>/notes/new/", views.new_note, name="new"),
    path("patients/<uuid:patient_id>/notes/<int:note_id>/", views.note_detail, name="detail"),
    path("patients/<uuid:patient_id>/notes/<int:note_id>/edit/", views.edit_note, name="edit"),
    path("patients/<uuid:patient_id>/notes/<int:note_id>/sign/", views.sign, name="sign"),
    path("patients/<uuid:patient_id>/notes/<int:note_id>/cosign/", views.cosign, name="cosign"),
    path(
        "patients/<uuid:patient_id>/notes/<int:note_id>/addenda/",
        views.addendum,
        name="add_addendum",
    ),
]
