from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tierdesk.people"
    label = "people"
