from django.urls import path

from tierdesk.web import agent_views, auth_views, board_views, portal_views

app_name = "web"

urlpatterns = [
    *auth_views.urlpatterns,
    path("agent/", agent_views.queue, name="queue"),
    path("agent/queues/<int:group_id>/", agent_views.group_queue, name="group_queue"),
    path("agent/sla/", board_views.sla_board, name="board"),
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

# Issue 11, second part: presence and merge/incident/attachments on the ticket page,
# saved filters, incidents and the status page managed from the workspace.
from tierdesk.web import filter_views, incident_views, ticket_actions  # noqa: E402

urlpatterns += [
    path("agent/tickets/<int:ticket_id>/presence/", ticket_actions.presence,
         name="presence"),
    path("agent/tickets/<int:ticket_id>/merge/", ticket_actions.merge, name="merge"),
    path("agent/tickets/<int:ticket_id>/incident/", ticket_actions.link_incident,
         name="link_incident"),
    path("agent/tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
         ticket_actions.download, name="attachment"),
    path("portal/tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
         ticket_actions.portal_download, name="portal_attachment"),
    path("agent/filters/", filter_views.save_filter, name="save_filter"),
    path("agent/filters/<int:filter_id>/", filter_views.open_filter, name="filter"),
    path("agent/filters/<int:filter_id>/delete/", filter_views.delete_filter,
         name="delete_filter"),
    path("agent/incidents/", incident_views.incident_list, name="incidents"),
    path("agent/incidents/new/", incident_views.incident_create, name="incident_create"),
    path("agent/incidents/<int:incident_id>/", incident_views.incident_page, name="incident"),
    path("agent/incidents/<int:incident_id>/update/", incident_views.incident_update,
         name="incident_update"),
    path("agent/incidents/<int:incident_id>/link/", incident_views.incident_link,
         name="incident_link"),
    path("agent/incidents/<int:incident_id>/publish/", incident_views.incident_publish,
         name="incident_publish"),
    path("agent/incidents/<int:incident_id>/resolve/", incident_views.incident_resolve,
         name="incident_resolve"),
]
