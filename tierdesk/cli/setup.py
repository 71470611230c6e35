"""What every command that touches the instance does first: Django set-up, and for the
commands that start it, migrations, static files and the demo."""


def django_setup() -> None:
    """Configure Django from ``tierdesk.settings`` (commands import the ORM only after)."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tierdesk.settings")
    import django
    from django.apps import apps

    if not apps.ready:  # set up once: a second set-up would reconfigure logging
        django.setup()


def prepare_instance(*, load_demo: bool) -> None:
    """Migrate, collect static files and, when asked, load the demo once."""
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if load_demo:
        from tierdesk.demo import demo_loaded
        from tierdesk.demo import load_demo as load

        if not demo_loaded():
            for line in load():
                print(line)
