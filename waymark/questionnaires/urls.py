from django.urls import path

from waymark.questionnaires import staff_views, views

app_name = "questionnaires"
urlpatterns = [
    # The patient's own questionnaires.
    path("questionnaires/", views.my_list, name="my_list"),
    path("questionnaires/<slug:key>/fill/", views.fill, name="fill"),
    path("questionnaires/<slug:key>/review/", views.review, name="review"),
    path("questionnaires/<slug:key>/discard/", views.discard, name="discard"),
    path("questionnaires/<slug:key>/history/", views.history, name="history"),
    path("questionnaires/results/<uuid:response_id>/", views.result, name="result"),
    path("questionnaires/results/<uuid:response_id>/correct/", views.correct, name="correct"),
    # Clinicians and admins.
    path("questionnaires/completion/", staff_views.completion, name="completion"),
    path(
        "patients/<uuid:patient_id>/questionnaires/",
        staff_views.patient_questionnaires,
        name="patient_questionnaires",
    ),
    path(
        "patients/<uuid:patient_id>/questionnaires/<uuid:response_id>/",
        staff_views.patient_response,
        name="patient_response",
    ),
    path("patients/<uuid:patient_id>/questionnaires/ask/", staff_views.assign, name="assign"),
    path(
        "patients/<uuid:patient_id>/questionnaires/rate/<slug:key>/",
        staff_views.record_rating,
        name="record_rating",
    ),
]
