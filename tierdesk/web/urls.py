from django.urls import path

from tierdesk.org import views as org_views
from tierdesk.qa import views as qa_views
from tierdesk.refunds import views as refund_views
from tierdesk.reports import views as report_views
from tierdesk.risks import views as risk_views
from tierdesk.surveys import views as survey_views
from tierdesk.tasks import views as task_views
from tierdesk.web import agent_views, auth_views, board_views, kb_views, portal_views

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
    path("agent/qa/", qa_views.queue, name="qa_queue"),
    path("agent/qa/tickets/<int:ticket_id>/", qa_views.review, name="qa_review"),
    path("agent/qa/mine/", qa_views.mine, name="qa_mine"),
    path("agent/risks/", risk_views.register, name="risks"),
    path("agent/risks/new/", risk_views.flag, name="risk_flag"),
    path("agent/risks/<int:risk_id>/reviewed/", risk_views.reviewed, name="risk_reviewed"),
    path("agent/org/", org_views.chart, name="org_chart"),
    path("agent/org/agents/", org_views.agents, name="org_agents"),
    path("agent/org/agents/<int:agent_id>/", org_views.agent, name="org_agent"),
    path("portal/", portal_views.portal, name="portal"),
    path("portal/new/", portal_views.new_request, name="portal_new"),
    path("portal/promise/", portal_views.promise, name="portal_promise"),
    path("portal/tickets/<int:ticket_id>/", portal_views.ticket_page, name="portal_ticket"),
    path("portal/tickets/<int:ticket_id>/reply/", portal_views.reply, name="portal_reply"),
    path("agent/refunds/", refund_views.refund_queue, name="refunds"),
    path("agent/refunds/<int:request_id>/", refund_views.refund_page, name="refund"),
    path("agent/refunds/<int:request_id>/approve/", refund_views.refund_approve,
         name="refund_approve"),
    path("agent/refunds/<int:request_id>/refuse/", refund_views.refund_refuse,
         name="refund_refuse"),
    path("agent/tickets/<int:ticket_id>/refunds/", refund_views.ticket_refund,
         name="ticket_refund"),
    path("agent/tasks/", task_views.task_list, name="tasks"),
    path("agent/tasks/<int:task_id>/done/", task_views.task_done, name="task_done"),
    path("survey/<str:token>/", survey_views.answer, name="survey"),
    path("agent/kb/", kb_views.kb_home, name="kb"),
    path("agent/kb/new/", kb_views.kb_new, name="kb_new"),
    path("agent/kb/<int:article_id>/", kb_views.kb_article, name="kb_article"),
    path("agent/kb/<int:article_id>/<str:action>/", kb_views.kb_action, name="kb_action"),
    path("agent/tickets/<int:ticket_id>/heartbeat/", kb_views.heartbeat, name="heartbeat"),
    path("portal/kb/", kb_views.portal_kb, name="portal_kb"),
    path("portal/kb/<int:article_id>/", kb_views.portal_article, name="portal_article"),
    path("portal/kb/<int:article_id>/feedback/", kb_views.portal_feedback,
         name="portal_feedback"),
    path("portal/help/", kb_views.portal_bot, name="portal_bot"),
    path("portal/help/<int:conversation_id>/", kb_views.portal_bot_conversation,
         name="portal_bot_conversation"),
    path("portal/help/<int:conversation_id>/answer/", kb_views.portal_bot_answer,
         name="portal_bot_answer"),
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
