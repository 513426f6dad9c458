from django.urls import path

from waymark.plans import safety_views, views

app_name = "plans"
urlpatterns = [
    path("plan/", views.my_plan, name="my_plan"),
    path("plan/print/", views.print_plan, name="print"),
    path("plan/pdf/", views.my_plan_pdf, name="pdf"),
    path("safety-plan/", safety_views.my_safety_plan, name="my_safety_plan"),
    path("safety-plan/print/", safety_views.print_safety_plan, name="safety_print"),
    path("coping/", views.coping, name="coping"),
    path("coping/used/", views.coping_use, name="coping_use"),
    path("patients/<uuid:patient_id>/plan/", views.patient_plan, name="patient_plan"),
    path("patients/<uuid:patient_id>/plan/pdf/", views.patient_plan_pdf, name="patient_pdf"),
    path(
        "patients/<uuid:patient_id>/safety-plan/",
        safety_views.patient_safety_plan,
        name="patient_safety_plan",
    ),
]
