from django.urls import path

from waymark.accounts import views

app_name = "accounts"
urlpatterns = [
    path("signin/", views.login, name="login"),
    path("signout/", views.logout, name="logout"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("devices/", views.tokens, name="tokens"),
    path("devices/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
