from django.urls import path

from tierdesk.web import agent_views, auth_views, board_views, kb_views, portal_views

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
