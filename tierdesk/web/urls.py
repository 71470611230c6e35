from django.urls import path

from tierdesk.reports import views as report_views
from tierdesk.web import agent_views, auth_views, board_views, portal_views

app_name = "web"

urlpatterns = [
    *auth_views.urlpatterns,
    path("agent/", agent_views.queue, name="queue"),
    path("agent/queues/<int:group_id>/", agent_views.group_queue, name="group_queue"),
    path("agent/sla/", board_views.sla_board, name="board"),
    path("agent/reports/", report_views.dashboard, name="reports"),
    path("agent/reports/leadership/", report_views.leadership, name="leadership"),
    path("agent/tickets/<int:ticket_id>/", agent_views.ticket_page, name="ticket"),
    path("agent/tickets/<int:ticket_id>/reply/", agent_views.reply, name="reply"),
    path("agent/tickets/<int:ticket_id>/note/", agent_views.note, name="note"),
    path("agent/tickets/<int:ticket_id>/update/", agent_views.update, name="update"),
    path("agent/tickets/<int:ticket_id>/escalate/", agent_views.escalate, name="escalate"),
    path("agent/tickets/<int:ticket_id>/template/", agent_views.template_fill,
         name="template"),
    path("portal/", portal_views.portal, name="portal"),
    path("portal/new/", portal_views.new_request, name="portal_new"),
    path("portal/promise/", portal_views.promise, name="portal_promise"),
    path("portal/tickets/<int:ticket_id>/", portal_views.ticket_page, name="portal_ticket"),
    path("portal/tickets/<int:ticket_id>/reply/", portal_views.reply, name="portal_reply"),
]
