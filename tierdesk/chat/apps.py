from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "tierdesk.chat"
    label = "chat"
    verbose_name = "Live chat"
