from django.urls import path

from waymark.accounts import mfa_views, views

app_name = "accounts"
urlpatterns = [
    path("signin/", views.login, name="login"),
    path("signout/", views.logout, name="logout"),
    path("set-password/<uidb64>/<token>/", views.set_password, name="set_password"),
    path("devices/", views.tokens, name="tokens"),
    path("devices/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    # Issue 12 points 1 and 2: the second factor, the account page, passwords.
    path("signin/code/", mfa_views.verify, name="verify"),
    path("authenticator/", mfa_views.enrol, name="enrol"),
    path(
        "staff/<int:user_id>/reset-authenticator/",
        mfa_views.reset_second_factor,
        name="reset_second_factor",
    ),
    path("account/", views.account, name="account"),
    path("account/password/", views.change_password, name="change_password"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("password-reset/", views.password_reset, name="password_reset"),
]
