from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "harborlight.notifications"
    label = "notifications"
    verbose_name = "Notices in the app"
