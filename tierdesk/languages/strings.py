"""Strings Tierdesk shows that are computed, not written in a template or a gettext call:
listed here (``gettext_noop``) so ``makemessages`` puts them in the catalogues, and
translated where they are shown (``{% translate ticket.get_status_display %}``)."""

from django.utils.translation import gettext_noop

TICKET_STATUSES = [gettext_noop("New"), gettext_noop("Open"), gettext_noop("Pending"),
                   gettext_noop("On Hold"), gettext_noop("Solved"), gettext_noop("Closed")]

