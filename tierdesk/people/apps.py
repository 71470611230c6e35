from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tierdesk.people"
    label = "people"

    def ready(self) -> None:
        """A change to who works here, made in this process, is seen by the rest of its
        own transaction: the staff lookups read the ``staff`` generation again (other
        processes see it through the tables' triggers, migration 0003)."""
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from tierdesk.people.models import Agent, Group, Tier

        for model in (Agent, Group, Tier, get_user_model()):
            post_save.connect(_staff_changed, sender=model, dispatch_uid=f"staff-{model}")
            post_delete.connect(_staff_changed, sender=model, dispatch_uid=f"staff-d-{model}")
        m2m_changed.connect(_staff_changed, sender=Agent.groups.through,
                            dispatch_uid="staff-groups")


def _staff_changed(**_kwargs: object) -> None:
    from tierdesk.common import generations

    generations.forget()
