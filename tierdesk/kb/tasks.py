"""KB task services: an agent takes a task by writing its article; a publisher may close
one by hand (duplicate, already covered) with a reason."""

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.kb import policy
from tierdesk.kb.models import KbTask
from tierdesk.people.access import Viewer


@transaction.atomic(durable=True)
def task_close(*, viewer: Viewer, task: KbTask, reason: str) -> KbTask:
    if not policy.may_publish(viewer):
        raise Forbidden("only publishers close KB tasks by hand")
    if not reason.strip():
        raise ServiceError("say why the task is closed without an article", field="reason")
    task = KbTask.objects.select_for_update().get(pk=task.pk)
    if task.state != KbTask.State.OPEN:
        raise Conflict("the task is already done", field="state")
    task.state, task.done_at = KbTask.State.DONE, clock.now()
    task.data = {**task.data, "closed_by": viewer.user.username, "reason": reason.strip()}
    task.save()
    return task
