from django.urls import path

from waymark.plans import views

app_name = "plans"
urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("plan/print/", views.print_plan, name="print"),
    path("plan/pdf/", views.my_plan_pdf, name="pdf"),
    path("coping/", views.coping, name="coping"),
    path("coping/used/", views.coping_use, name="coping_use"),
    path("patients/<uuid:patient_id>/plan/", views.patient_plan, name="patient_plan"),
    path("patients/<uuid:patient_id>/plan/pdf/", views.patient_plan_pdf, name="patient_pdf"),
]
