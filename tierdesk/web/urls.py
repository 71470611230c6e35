from django.urls import path

from tierdesk.refunds import views as refund_views
from tierdesk.surveys import views as survey_views
from tierdesk.tasks import views as task_views
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
]
