from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages that compose several domains (the top of the layer order); no models."""

    name = "classifieds.web"
    label = "web"
