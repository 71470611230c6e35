from django.contrib import admin

from tierdesk.surveys.models import NpsSchedule, Survey, SurveyResponse


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "ticket", "contact", "state", "sent_at", "answered_at")
    list_filter = ("kind", "state")
    exclude = ("nonce",)


admin.site.register(SurveyResponse)
admin.site.register(NpsSchedule)
