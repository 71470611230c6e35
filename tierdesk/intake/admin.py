from django.contrib import admin

from tierdesk.intake.models import SlackChannel, SlackThread


@admin.register(SlackChannel)
class SlackChannelAdmin(admin.ModelAdmin):
    list_display = ("channel_id", "name", "organisation", "team_id")
    search_fields = ("channel_id", "name", "organisation__name")
    autocomplete_fields = ("organisation",)


@admin.register(SlackThread)
class SlackThreadAdmin(admin.ModelAdmin):
    list_display = ("channel", "thread_ts", "ticket")
    raw_id_fields = ("ticket",)
