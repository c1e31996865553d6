from django.apps import AppConfig


class DemoConfig(AppConfig):
    """``manage.py seed_demo``: believable demo data at scale (top of the layer order; nothing imports it)."""

    name = "classifieds.demo"
    label = "demo"
