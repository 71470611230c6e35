"""Send surveys when they are due, record answers, follow up low scores.

1. CSAT: a ticket solved at least the pack's ``send_after`` ago (DataFlow: 24 hours) and
   still solved or closed gets one survey, mailed to its requester in the ticket's
   language with signed one-click links; unless that customer was surveyed within the
   pack's ``cool_off``, in which case it is recorded as skipped and never sent.
2. NPS: each organisation with a schedule is asked every ``every`` (its own interval, or
   the pack's ``nps.every``); its contacts get a 0-10 survey, cool-off permitting.
3. An answer is taken once per survey (a conditional update and a unique row).
4. Its follow-up runs once (``followed_up_at`` claimed in the same transaction): a score
   below ``low_score_below`` gives the ``follow_up_role`` a task due ``follow_up_within``
   later and mails ``follow_up_template``; the pack's ``survey_answered`` rules then run
   with the score (DataFlow: the Enterprise $100 credit, into the refunds ledger).
"""

import hmac
import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, NotFound, ServiceError
from tierdesk.customers.models import Contact, Organisation
from tierdesk.outbox import services as outbox
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import Viewer
from tierdesk.rules import engine as rules
from tierdesk.surveys import links, messages
from tierdesk.surveys.models import NpsSchedule, Survey, SurveyKind, SurveyResponse
from tierdesk.tasks import services as tasks
from tierdesk.tickets import events
from tierdesk.tickets.mail_templates import render_template
from tierdesk.tickets.models import Status, Ticket

log = logging.getLogger(__name__)

# A ticket solved longer ago than ``send_after`` plus this is never surveyed: switching
# surveys on (or a long outage of the sweep) does not mail the whole history.
LOOKBACK = timedelta(days=7)
NPS_DETRACTOR_BELOW = 7  # NPS definition: 0-6 detractors, 7-8 passives, 9-10 promoters
CSAT = "csat"


def _platform_role(pack: Any, role: str | None) -> str:
    for r in pack.roles:
        if getattr(r, "code", r) == role:
            return getattr(r, "based_on", None) or role
    return role or ""


def _recently_surveyed(contact: Contact, window: timedelta | None, now: datetime) -> bool:
    if not window:
        return False
    return Survey.objects.filter(contact=contact, sent_at__gt=now - window).exists()


# -- 1. CSAT -----------------------------------------------------------------------------

def csat_due(*, pack: Any, now: datetime):
    """Return the tickets whose CSAT is due at ``now`` and not yet made."""
    config = pack.surveys.get(CSAT)
    if config is None:
        return Ticket.objects.none()
    cutoff, floor = now - config.send_after, now - config.send_after - LOOKBACK
    # Every closed ticket was solved first (the status machine), except a merged one,
    # which is nobody's finished conversation: it gets no survey.
    return (Ticket.objects.filter(solved_at__lte=cutoff, solved_at__gte=floor,
                                  status__in=[Status.SOLVED, Status.CLOSED],
                                  merged_into__isnull=True)
            .exclude(surveys__kind=SurveyKind.CSAT).select_related("requester", "organisation"))


def _choices(survey: Survey, labels: dict[int, str] | None) -> str:
    lines = []
    for score in range(survey.scale_min, survey.scale_max + 1):
        label = f"{score} - {labels[score]}" if labels and score in labels else str(score)
        lines.append(f"{label}: {links.url_for(survey, score)}")
    return "\n".join(lines)


def _new_survey(*, kind: str, contact: Contact, now: datetime, window: timedelta | None,
                ticket: Ticket | None = None, organisation: Organisation | None = None,
                language: str, scale: tuple[int, int]) -> Survey:
    skip = ""
    if not contact.email:
        skip = "the contact has no e-mail address"
    elif _recently_surveyed(contact, window, now):
        skip = f"cool-off: surveyed within {window}"
    return Survey.objects.create(
        kind=kind, ticket=ticket, organisation=organisation, contact=contact,
        language=messages.language_of(language), scale_min=scale[0], scale_max=scale[1],
        nonce=links.new_nonce(), created_at=now, sent_at=None if skip else now,
        state=Survey.State.SKIPPED if skip else Survey.State.SENT, skip_reason=skip)


def _send_csat(*, pack: Any, ticket: Ticket, now: datetime) -> bool:
    """Make and mail one ticket's CSAT; return whether it was sent (False: skipped, or
    another sweep made it first)."""
    config = pack.surveys[CSAT]
    try:
        with transaction.atomic():
            survey = _new_survey(kind=SurveyKind.CSAT, ticket=ticket, contact=ticket.requester,
                                 organisation=ticket.organisation, now=now,
                                 window=config.cool_off, language=ticket.language,
                                 scale=(1, config.scale))
            if survey.state == Survey.State.SKIPPED:
                events.record(ticket, "survey_skipped", None, now, survey=survey.pk,
                              reason=survey.skip_reason)
                return False
            subject, body = messages.pick(messages.CSAT, survey.language)
            labels = (messages.pick(messages.CSAT_LABELS, survey.language)
                      if config.scale == 5 else None)
            outbox.enqueue_email(
                to=ticket.requester.email, ticket_id=ticket.pk, template="csat_survey", at=now,
                subject=subject.format(ticket_id=ticket.pk),
                body=body.format(name=ticket.requester.name or ticket.requester.email,
                                 ticket_id=ticket.pk, subject=ticket.subject,
                                 choices=_choices(survey, labels)))
            events.record(ticket, "survey_sent", None, now, survey=survey.pk, kind=CSAT,
                          language=survey.language, to=ticket.requester.email)
            return True
    except IntegrityError:  # one survey per ticket: a concurrent sweep made it
        return False


# -- 2. NPS ------------------------------------------------------------------------------

def _send_nps(*, pack: Any, schedule: NpsSchedule, now: datetime) -> int:
    """Survey the organisation's contacts once for this round; return how many were sent.
    The round is claimed by moving ``next_at`` on, so two sweeps never both send it."""
    every = timedelta(days=schedule.every_days) if schedule.every_days else pack.nps.every
    with transaction.atomic():
        claimed = NpsSchedule.objects.filter(pk=schedule.pk, next_at=schedule.next_at,
                                             active=True).update(
            next_at=now + every, last_sent_at=now)
        if claimed != 1:
            return 0
        org = schedule.organisation
        sent = 0
        for contact in Contact.objects.filter(organisation=org).order_by("id"):
            survey = _new_survey(kind=SurveyKind.NPS, contact=contact, organisation=org,
                                 now=now, window=pack.nps.cool_off,
                                 language=contact.language or org.language, scale=(0, 10))
            if survey.state == Survey.State.SKIPPED:
                continue
            subject, body = messages.pick(messages.NPS, survey.language)
            outbox.enqueue_email(
                to=contact.email, template="nps_survey", at=now,
                subject=subject.format(org="us"),
                body=body.format(name=contact.name or contact.email,
                                 choices=_choices(survey, None)))
            sent += 1
        return sent


@transaction.atomic(durable=True)
def nps_schedule_set(*, viewer: Viewer, organisation: Organisation, active: bool = True,
                     every_days: int | None = None,
                     next_at: datetime | None = None) -> NpsSchedule:
    """Put an organisation on the NPS calendar (managers): first asked at ``next_at``
    (default now), then every ``every_days`` (default: the pack's ``nps.every``)."""
    if not viewer.is_manager:
        raise Forbidden("only managers set NPS schedules")
    if every_days is not None and every_days < 1:
        raise ServiceError("every_days must be at least 1", field="every_days")
    now = clock.now()
    schedule, _created = NpsSchedule.objects.update_or_create(
        organisation=organisation,
        defaults={"active": active, "every_days": every_days, "next_at": next_at or now})
    return schedule


# -- 3. Answers --------------------------------------------------------------------------

def survey_for_token(token: str) -> Survey:
    """Return the survey a link names; NotFound for a forged, expired or unsent one."""
    try:
        survey_id, nonce = links.read(token)
    except links.BadLink as exc:
        raise NotFound(str(exc), field="token") from None
    survey = (Survey.objects.select_related("ticket", "contact", "organisation")
              .filter(pk=survey_id, state=Survey.State.SENT).first())
    if survey is None or not hmac.compare_digest(survey.nonce, nonce):
        raise NotFound(_("this survey link is not valid"), field="token")
    return survey


@transaction.atomic(durable=True)
def survey_answer(*, token: str, score: Any, comment: str = "") -> SurveyResponse:
    """Record the one answer a survey takes, then follow it up (in this transaction when
    it can; a failed follow-up is left for the sweep, the answer stays)."""
    survey = survey_for_token(token)
    try:
        score = int(score)
    except (TypeError, ValueError):
        raise ServiceError(_("choose a score"), field="score") from None
    if not survey.scale_min <= score <= survey.scale_max:
        raise ServiceError(_("the score is from %(low)s to %(high)s")
                           % {"low": survey.scale_min, "high": survey.scale_max}, field="score")
    if len(comment) > 5000:
        raise ServiceError(_("the comment is longer than 5000 characters"), field="comment")
    now = clock.now()
    taken = Survey.objects.filter(pk=survey.pk, answered_at__isnull=True).update(answered_at=now)
    if taken != 1:
        raise Conflict(_("this survey was already answered; thank you"), field="token")
    pack = active_pack()
    response = SurveyResponse.objects.create(
        survey=survey, score=score, comment=comment.strip(), answered_at=now,
        low=_is_low(pack, survey, score))
    if survey.ticket_id is not None:
        events.record(survey.ticket, "survey_answered", None, now, survey=survey.pk,
                      kind=survey.kind, score=score, scale=survey.scale_max,
                      comment=bool(response.comment))
    try:
        with transaction.atomic():
            _follow_up(pack=pack, response=response, now=now)
    except Exception:
        log.exception("survey follow-up failed; the sweep will retry it",
                      extra={"ticket_id": survey.ticket_id})
    return response


def _is_low(pack: Any, survey: Survey, score: int) -> bool:
    if survey.kind == SurveyKind.NPS:
        return score < NPS_DETRACTOR_BELOW
    config = pack.surveys.get(survey.kind) if pack is not None else None
    return bool(config and config.low_score_below is not None and score < config.low_score_below)


# -- 4. Follow-up ------------------------------------------------------------------------

def _follow_up(*, pack: Any, response: SurveyResponse, now: datetime) -> bool:
    """Follow ``response`` up unless it already was; return whether this call did it."""
    claimed = SurveyResponse.objects.filter(pk=response.pk, followed_up_at__isnull=True).update(
        followed_up_at=now)
    if claimed != 1 or pack is None:
        return False
    survey = response.survey
    if survey.kind == SurveyKind.NPS:
        if response.low and pack.nps is not None and pack.nps.detractor_role:
            tasks.task_open(
                key=f"survey:{survey.pk}:follow_up", source="surveys", at=now,
                role=_platform_role(pack, pack.nps.detractor_role),
                title=f"NPS detractor ({response.score}/10): {survey.contact.name} of "
                      f"{survey.organisation}", detail=response.comment)
        return True
    ticket = survey.ticket
    config = pack.surveys.get(survey.kind)
    if response.low and config is not None:
        due = response.answered_at + config.follow_up_within if config.follow_up_within \
            else None
        task, _created = tasks.task_open(
            key=f"survey:{survey.pk}:follow_up", source="surveys", at=now, ticket=ticket,
            role=_platform_role(pack, config.follow_up_role), due_at=due,
            title=f"Low satisfaction ({response.score}/{survey.scale_max}) on ticket "
                  f"#{ticket.pk}: follow up", detail=response.comment,
            url=f"/agent/tickets/{ticket.pk}/")
        template = config.follow_up_template
        if template and template in pack.templates:
            rendered = render_template(pack=pack, name=template, ticket=ticket, values={
                "score": f"{response.score}/{survey.scale_max}"})
            outbox.enqueue_email(to=survey.contact.email, ticket_id=ticket.pk,
                                 template=rendered.template, subject=rendered.subject,
                                 body=rendered.body, at=now)
        events.record(ticket, "survey_follow_up", None, now, survey=survey.pk,
                      score=response.score, task=task.pk, template=template)
    from tierdesk.tickets.services import locked

    rules.on_event(ticket=locked(ticket), event="survey_answered", now=now,
                   facts={"score": response.score})
    return True


def follow_up_pending(*, now: datetime, limit: int = 200) -> int:
    """Follow up every answer not yet followed up (one transaction each)."""
    pack = active_pack()
    done = 0
    for response in (SurveyResponse.objects.filter(followed_up_at__isnull=True)
                     .select_related("survey__ticket", "survey__contact",
                                     "survey__organisation").order_by("id")[:limit]):
        with transaction.atomic():
            done += _follow_up(pack=pack, response=response, now=now)
    return done


def surveys_sweep(*, now: datetime) -> int:
    """Send the CSATs and NPS rounds due at ``now`` and follow up pending answers;
    return how many surveys were sent and answers followed up."""
    pack = active_pack()
    if pack is None:
        return 0
    done = 0
    for ticket in list(csat_due(pack=pack, now=now)[:500]):
        done += _send_csat(pack=pack, ticket=ticket, now=now)
    if pack.nps is not None:
        for schedule in NpsSchedule.objects.filter(active=True, next_at__lte=now).select_related(
                "organisation")[:200]:
            done += _send_nps(pack=pack, schedule=schedule, now=now)
    done += follow_up_pending(now=now)
    return done
