from django.apps import AppConfig


class RiskConfig(AppConfig):
    name = "waymark.risk"
    label = "risk"

    def ready(self) -> None:
        # Every app's rules.py registers its clinical rules in the one registry.
        from waymark.risk import hooks  # noqa: F401 - reassess after transitions; the watch
        from waymark.risk.registry import load_all

        load_all()
