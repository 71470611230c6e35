"""KB, handle-time and bot endpoints: parse, check scope, call a service, answer.

Customers search and read published public articles and talk to the bot; agents write
and review; publishing follows the pack's roles (``kb.policy``)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja import Status as Reply

from tierdesk.common.errors import Forbidden, NotFound
from tierdesk.kb import bot, figures, handle_time, policy, selectors, services, tasks
from tierdesk.kb.models import Article, BotConversation, KbTask, Revision
from tierdesk.kb.rendering import revision_diff
from tierdesk.kb.schemas import (
    AnswerIn,
    ArticleCreateIn,
    ArticleEditIn,
    ArticleOut,
    AskIn,
    BeatOut,
    ConversationOut,
    FeedbackIn,
    HitOut,
    Language,
    ReviewIn,
    ReviewOut,
    RevisionOut,
    TaskCloseIn,
    TaskOut,
    TimeLogIn,
    TimeOut,
)
from tierdesk.people.access import Viewer, viewer_for
from tierdesk.tickets import selectors as ticket_selectors

router = Router(tags=["knowledge base"])
tickets_router = Router(tags=["tickets"])
bot_router = Router(tags=["bot"])


def _viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.auth)


def _agent(request: HttpRequest) -> Viewer:
    viewer = _viewer(request)
    if not viewer.is_agent:
        raise Forbidden("this is for agents")
    return viewer


def _article(viewer: Viewer, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise NotFound("no such article")
    services.check_readable(viewer, article)
    return article


def article_dict(article: Article) -> dict:
    return {
        "id": article.pk, "reference": article.reference, "status": article.status,
        "visibility": article.visibility, "category": article.category,
        "error_codes": article.error_codes, "views": article.views,
        "helpful_yes": article.helpful_yes, "helpful_no": article.helpful_no,
        "published_at": article.published_at,
        "versions": [{"language": t.language, "title": t.title, "body_md": t.body_md,
                      "body_html": t.body_html, "revision": t.revision,
                      "direction": "rtl" if t.is_rtl else "ltr"}
                     for t in article.translations.all()],
    }


class SearchQuery(Schema):
    q: str = ""
    language: Language = "en"  # one of the languages articles are written in (else 422)
    status: str = ""
    limit: int = 10


@router.get("/articles", response=list[HitOut])
def search(request: HttpRequest, filters: Query[SearchQuery]):
    """Search articles in one language. Customers get published public articles only;
    agents also internal ones (and drafts with ``status``)."""
    viewer = _viewer(request)
    if not (viewer.is_agent or viewer.is_customer):
        raise Forbidden("sign in as an agent or a customer")
    limit = max(1, min(filters.limit, 50))
    statuses = (Article.Status.PUBLISHED,)
    if viewer.is_agent and filters.status in Article.Status.values:
        statuses = (filters.status,)
    hits = selectors.search_articles(query=filters.q, language=filters.language,
                                     public=not viewer.is_agent, limit=limit,
                                     statuses=statuses)
    base = "/agent/kb/" if viewer.is_agent else "/portal/kb/"
    return [{"id": h.article.pk, "language": h.translation.language,
             "title": h.translation.title, "error_codes": h.article.error_codes,
             "matched_error_code": h.by_code,
             "url": f"{base}{h.article.pk}/?language={h.translation.language}"}
            for h in hits]


@router.post("/articles", response={201: ArticleOut})
def create(request: HttpRequest, payload: ArticleCreateIn):
    viewer = _agent(request)
    task = None
    if payload.task_id is not None:
        task = KbTask.objects.filter(pk=payload.task_id).first()
        if task is None:
            raise NotFound("no such KB task", field="task_id")
    article = services.article_create(
        viewer=viewer, language=payload.language, title=payload.title, body=payload.body,
        category=payload.category, error_codes=payload.error_codes,
        visibility=payload.visibility, task=task)
    return Reply(201, article_dict(article))


@router.get("/articles/{int:article_id}", response=ArticleOut)
def read(request: HttpRequest, article_id: int, language: str = "en"):
    """Read an article (a customer's read counts as a view)."""
    viewer = _viewer(request)
    if not (viewer.is_agent or viewer.is_customer):
        raise NotFound("no such article")
    article = _article(viewer, article_id)
    if viewer.is_customer:
        services.article_viewed(viewer=viewer, article=article, language=language)
        article.refresh_from_db()
    return article_dict(article)


@router.patch("/articles/{int:article_id}", response=ArticleOut)
def edit(request: HttpRequest, article_id: int, payload: ArticleEditIn):
    viewer = _agent(request)
    article = services.article_edit(
        viewer=viewer, article=_article(viewer, article_id), language=payload.language,
        title=payload.title, body=payload.body, note=payload.note, category=payload.category,
        error_codes=payload.error_codes, visibility=payload.visibility)
    return article_dict(article)


@router.post("/articles/{int:article_id}/submit", response=ArticleOut)
def submit(request: HttpRequest, article_id: int):
    viewer = _agent(request)
    return article_dict(services.article_submit(viewer=viewer,
                                                article=_article(viewer, article_id)))


@router.post("/articles/{int:article_id}/reviews", response={201: ReviewOut})
def review(request: HttpRequest, article_id: int, payload: ReviewIn):
    viewer = _agent(request)
    done = services.article_review(viewer=viewer, article=_article(viewer, article_id),
                                   step=payload.step, approve=payload.approve,
                                   comment=payload.comment)
    return Reply(201, {"step": done.step, "decision": done.decision, "round": done.round,
                       "reviewer": done.reviewer.username, "comment": done.comment})


@router.post("/articles/{int:article_id}/publish", response=ArticleOut)
def publish(request: HttpRequest, article_id: int):
    viewer = _agent(request)
    return article_dict(services.article_publish(viewer=viewer,
                                                 article=_article(viewer, article_id)))


@router.post("/articles/{int:article_id}/archive", response=ArticleOut)
def archive(request: HttpRequest, article_id: int):
    viewer = _agent(request)
    return article_dict(services.article_archive(viewer=viewer,
                                                 article=_article(viewer, article_id)))


@router.get("/articles/{int:article_id}/history", response=list[RevisionOut])
def history(request: HttpRequest, article_id: int):
    """Every revision of every language version, each with its diff to the one before."""
    viewer = _agent(request)
    article = _article(viewer, article_id)
    out, previous = [], {}
    for rev in (Revision.objects.filter(translation__article=article)
                .select_related("translation", "author").order_by("translation_id", "number")):
        lang = rev.translation.language
        before = previous.get(lang)
        diff = revision_diff(before.title if before else "", before.body_md if before else "",
                             rev.title, rev.body_md,
                             f"{lang} r{before.number}" if before else f"{lang} (none)",
                             f"{lang} r{rev.number}")
        out.append({"language": lang, "number": rev.number, "title": rev.title,
                    "author": rev.author.username if rev.author else None, "note": rev.note,
                    "created_at": rev.created_at, "diff": diff})
        previous[lang] = rev
    return out


@router.post("/articles/{int:article_id}/feedback", response={201: dict})
def feedback(request: HttpRequest, article_id: int, payload: FeedbackIn):
    """"Did this help?" from a reader."""
    viewer = _viewer(request)
    if not (viewer.is_agent or viewer.is_customer):
        raise NotFound("no such article")
    services.article_feedback(viewer=viewer, article=_article(viewer, article_id),
                              language=payload.language, helpful=payload.helpful,
                              comment=payload.comment)
    return Reply(201, {"recorded": True})


def task_dict(task: KbTask, now=None) -> dict:
    from tierdesk import clock

    now = now or clock.now()
    return {"id": task.pk, "kind": task.kind, "state": task.state, "title": task.title,
            "ticket_id": task.ticket_id, "error_code": task.error_code, "month": task.month,
            "assignee": task.assignee.user.username if task.assignee else None,
            "role": task.role, "article_id": task.article_id, "due_at": task.due_at,
            "overdue": task.state == KbTask.State.OPEN and task.due_at is not None
            and task.due_at < now}


@router.get("/tasks", response=list[TaskOut])
def task_list(request: HttpRequest, overdue: bool = False):
    """Open KB tasks: your own and your role's; ``overdue=true`` lists every overdue task
    (for those the pack shows them to: the KB specialist and the support manager)."""
    viewer = _agent(request)
    if overdue:
        if not policy.sees_overdue(viewer):
            raise Forbidden("overdue KB tasks are shown to "
                            + ", ".join(policy.knowledge().overdue_visible_to))
        rows = selectors.overdue_tasks()
    else:
        rows = selectors.tasks_visible_to(viewer)
    return [task_dict(t) for t in rows[:500]]


@router.post("/tasks/{int:task_id}/close", response=TaskOut)
def task_close(request: HttpRequest, task_id: int, payload: TaskCloseIn):
    viewer = _agent(request)
    task = KbTask.objects.filter(pk=task_id).first()
    if task is None:
        raise NotFound("no such KB task")
    return task_dict(tasks.task_close(viewer=viewer, task=task, reason=payload.reason))


@router.get("/figures", response=dict)
def deflection(request: HttpRequest, months: int = 12):
    """Deflection figures (managers): bot resolution share, article views and
    helpfulness per month, tickets per error code before and after its article."""
    viewer = _viewer(request)
    if not viewer.is_manager:
        raise Forbidden("deflection figures are for managers")
    return figures.deflection_figures(months=max(1, min(months, 36)))


# --- handle time and suggestions, under /tickets/{id}/ -------------------------------

def _ticket(request: HttpRequest, ticket_id: int):
    return ticket_selectors.ticket_get(viewer=_viewer(request), ticket_id=ticket_id)


def _time_out(ticket) -> dict:
    totals = handle_time.handle_seconds(ticket)
    return {"ticket_id": ticket.pk, "total_seconds": sum(totals.values()),
            "seconds_by_agent": {str(k): v for k, v in totals.items()}}


@tickets_router.post("/{int:ticket_id}/time", response={201: TimeOut})
def log_time(request: HttpRequest, ticket_id: int, payload: TimeLogIn):
    """Log minutes spent on the ticket (agents): its handle time."""
    ticket = _ticket(request, ticket_id)
    handle_time.time_log(ticket=ticket, viewer=_viewer(request), minutes=payload.minutes,
                         note=payload.note)
    return Reply(201, _time_out(ticket))


@tickets_router.get("/{int:ticket_id}/time", response=TimeOut)
def read_time(request: HttpRequest, ticket_id: int):
    ticket = _ticket(request, ticket_id)
    if not _viewer(request).is_agent:
        raise Forbidden("handle time is for agents")
    return _time_out(ticket)


@tickets_router.post("/{int:ticket_id}/heartbeat", response=BeatOut)
def beat(request: HttpRequest, ticket_id: int):
    """The workspace's "still working on it" beat (agents)."""
    ticket = _ticket(request, ticket_id)
    return {"gathered_seconds": handle_time.heartbeat(ticket=ticket,
                                                      viewer=_viewer(request))}


@tickets_router.get("/{int:ticket_id}/kb-suggestions", response=list[HitOut])
def suggestions(request: HttpRequest, ticket_id: int):
    """Published articles for the ticket's error code and text (agents)."""
    ticket = _ticket(request, ticket_id)
    if not _viewer(request).is_agent:
        raise Forbidden("suggestions are for agents")
    return [{"id": h.article.pk, "language": h.translation.language,
             "title": h.translation.title, "error_codes": h.article.error_codes,
             "matched_error_code": h.by_code,
             "url": f"/agent/kb/{h.article.pk}/?language={h.translation.language}"}
            for h in selectors.ticket_suggestions(ticket=ticket)]


# --- the L0 bot -------------------------------------------------------------------------

def _conversation_dict(c: BotConversation) -> dict:
    return {"id": c.pk, "language": c.language, "outcome": c.outcome,
            "handoff_reason": c.handoff_reason, "ticket_id": c.ticket_id,
            "articles": c.articles, "transcript": c.transcript}


@bot_router.post("/conversations", response={201: ConversationOut})
def ask(request: HttpRequest, payload: AskIn):
    """Ask the L0 bot (customers): articles offered, or a hand-off to a person."""
    conversation = bot.bot_ask(viewer=_viewer(request), question=payload.question,
                               language=payload.language)
    return Reply(201, _conversation_dict(conversation))


@bot_router.post("/conversations/{int:conversation_id}/answer", response=ConversationOut)
def answer(request: HttpRequest, conversation_id: int, payload: AnswerIn):
    """"Did this solve it?": yes is a deflection, no hands off with the transcript."""
    return _conversation_dict(bot.bot_reply(viewer=_viewer(request),
                                            conversation_id=conversation_id,
                                            solved=payload.solved, message=payload.message))


@bot_router.get("/conversations/{int:conversation_id}", response=ConversationOut)
def conversation(request: HttpRequest, conversation_id: int):
    viewer = _viewer(request)
    found = BotConversation.objects.filter(
        pk=conversation_id, contact=viewer.contact).first() if viewer.is_customer else None
    if found is None:
        raise NotFound("no such conversation")
    return _conversation_dict(found)
