from typing import Any

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "waymark.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_session_started, dispatch_uid="waymark.accounts.session_started")


def _session_started(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from waymark.accounts.middleware import start_session

    if request is not None and hasattr(request, "session"):
        start_session(request, user)
