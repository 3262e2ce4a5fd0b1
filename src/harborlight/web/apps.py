from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "harborlight.web"
    label = "web"
