from django.urls import path

from waymark.support import supporter_views, views

app_name = "support"
urlpatterns = [
    # The patient's side
    path("supporters/", views.my_supporters, name="mine"),
    path("supporters/invite/", views.invite, name="invite"),
    path("supporters/<int:link_id>/consent/", views.sign, name="sign"),
    path("supporters/consents/<int:consent_id>/", views.my_consent, name="my_consent"),
    path("supporters/consents/<int:consent_id>/revoke/", views.revoke, name="revoke"),
    path("supporters/shared/", views.accounting, name="accounting"),
    path("supporters/shared.csv", views.accounting_csv, name="accounting_csv"),
    path("supporters/shared.pdf", views.accounting_pdf, name="accounting_pdf"),
    path("supporters/reach-out/", views.reach_out, name="reach_out"),
    # The supporter's side
    path("support/", supporter_views.home, name="home"),
    path("support/<uuid:patient_id>/", supporter_views.person, name="person"),
    path("support/<uuid:patient_id>/consent/", supporter_views.consent_copy, name="consent_copy"),
    path("support/<uuid:patient_id>/in-touch/", supporter_views.in_touch, name="in_touch"),
]
