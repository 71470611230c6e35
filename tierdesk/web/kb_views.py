"""Knowledge-base pages: the agent workspace writes, reviews and publishes; the portal
reads and searches (published public articles only) and hosts the L0 bot. Every change
goes through ``tierdesk.kb`` services; visibility is decided by ``kb.selectors``."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tierdesk import clock
from tierdesk.common.errors import NotFound, ServiceError
from tierdesk.kb import bot, handle_time, policy, selectors, services
from tierdesk.kb.models import LANGUAGES, Article, BotConversation, KbTask, Revision
from tierdesk.kb.rendering import revision_diff
from tierdesk.tickets import selectors as ticket_selectors
from tierdesk.web.access import agent_page, customer_page

LANGUAGE_NAMES = dict(LANGUAGES)


def _article_or_404(request: HttpRequest, article_id: int) -> Article:
    article = Article.objects.filter(pk=article_id).first()
    if article is None:
        raise Http404("no such article")
    try:
        services.check_readable(request.viewer, article)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    return article


def _languages(request: HttpRequest) -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in policy.languages()]


# --- agent workspace ----------------------------------------------------------------------

@require_GET
@agent_page
def kb_home(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    status = request.GET.get("status", "")
    status = status if status in Article.Status.values else ""
    query = request.GET.get("q", "")
    language = request.GET.get("language", "en")
    articles = selectors.articles_for_agents(status=status, query=query, language=language)
    now = clock.now()
    return render(request, "web/kb/agent_list.html", {
        "articles": articles, "status": status, "q": query, "language": language,
        "statuses": Article.Status.choices, "languages": _languages(request),
        "tasks": list(selectors.tasks_visible_to(viewer)[:100]),
        "overdue": list(selectors.overdue_tasks(now)[:100])
        if policy.sees_overdue(viewer) else None,
        "now": now, "may_write": policy.may_write(viewer),
    })


@require_http_methods(["GET", "POST"])
@agent_page
def kb_new(request: HttpRequest) -> HttpResponse:
    form = {k: request.POST.get(k, request.GET.get(k, "")) for k in (
        "language", "title", "body", "category", "error_codes", "visibility", "task")}
    context = {"form": form, "languages": _languages(request)}
    if request.method == "GET":
        return render(request, "web/kb/agent_new.html", context)
    task = KbTask.objects.filter(pk=form["task"]).first() if form["task"].isdigit() else None
    try:
        article = services.article_create(
            viewer=request.viewer, language=form["language"] or "en", title=form["title"],
            body=form["body"], category=form["category"],
            error_codes=form["error_codes"].replace(",", " ").split(),
            visibility=form["visibility"] or "public", task=task)
    except ServiceError as exc:
        context["error"], context["field"] = exc.message, exc.field
        return render(request, "web/kb/agent_new.html", context, status=400)
    messages.success(request, _("Draft saved."))
    return redirect("web:kb_article", article_id=article.pk)


def _history(article: Article) -> list[dict]:
    out, previous = [], {}
    for rev in (Revision.objects.filter(translation__article=article)
                .select_related("translation", "author").order_by("translation_id", "number")):
        lang = rev.translation.language
        before = previous.get(lang)
        out.append({"rev": rev, "language": lang, "diff": revision_diff(
            before.title if before else "", before.body_md if before else "", rev.title,
            rev.body_md, f"r{before.number}" if before else "(none)", f"r{rev.number}")})
        previous[lang] = rev
    return list(reversed(out))


def _article_page(request: HttpRequest, article: Article, status: int = 200,
                  **forms) -> HttpResponse:
    language = request.GET.get("language") or request.POST.get("language") or "en"
    version = selectors.version(article, language)
    viewer = request.viewer
    return render(request, "web/kb/agent_article.html", {
        "article": article, "version": version,
        "versions": list(article.translations.all()), "languages": _languages(request),
        "reviews": services.review_state(article), "history": _history(article),
        "may_publish": policy.may_publish(viewer), "may_write": policy.may_write(viewer),
        "reviewable": [s for s in policy.knowledge().reviews if policy.holds(viewer, s.roles)],
        "events": list(article.events.select_related("actor").order_by("-id")[:50]),
        "edit": forms.get("edit", {}), "error": forms.get("error", ""),
    }, status=status)


@require_GET
@agent_page
def kb_article(request: HttpRequest, article_id: int) -> HttpResponse:
    return _article_page(request, _article_or_404(request, article_id))


@require_POST
@agent_page
def kb_action(request: HttpRequest, article_id: int, action: str) -> HttpResponse:
    """Edit, submit, review, publish or archive, then back to the article."""
    article = _article_or_404(request, article_id)
    viewer, post = request.viewer, request.POST
    try:
        if action == "edit":
            services.article_edit(viewer=viewer, article=article, language=post.get(
                "language", "en"), title=post.get("title", ""), body=post.get("body", ""),
                note=post.get("note", ""))
            done = _("Saved.")
        elif action == "submit":
            services.article_submit(viewer=viewer, article=article)
            done = _("Sent for review.")
        elif action == "review":
            services.article_review(viewer=viewer, article=article, step=post.get("step", ""),
                                    approve=post.get("decision") == "approve",
                                    comment=post.get("comment", ""))
            done = _("Review recorded.")
        elif action == "publish":
            services.article_publish(viewer=viewer, article=article)
            done = _("Published.")
        elif action == "archive":
            services.article_archive(viewer=viewer, article=article)
            done = _("Archived.")
        else:
            raise Http404("no such action")
    except ServiceError as exc:
        article.refresh_from_db()
        return _article_page(request, article, status=exc.status_code,
                             error=exc.message, edit=dict(post.items()))
    messages.success(request, done)
    return redirect("web:kb_article", article_id=article.pk)


@require_POST
@agent_page
def heartbeat(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The ticket page's "still working on it" beat (the handle-time script posts it)."""
    ticket = ticket_selectors.ticket_get(viewer=request.viewer, ticket_id=ticket_id)
    gathered = handle_time.heartbeat(ticket=ticket, viewer=request.viewer)
    return JsonResponse({"gathered_seconds": gathered})


# --- customer portal -----------------------------------------------------------------------

def _customer_language(request: HttpRequest) -> str:
    wanted = request.GET.get("language") or getattr(request, "LANGUAGE_CODE", "en") or "en"
    allowed = policy.languages()
    return wanted if wanted in allowed else (allowed[0] if allowed else "en")


@require_GET
@customer_page
def portal_kb(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")
    language = _customer_language(request)
    hits = selectors.search_articles(query=query, language=language, public=True,
                                     limit=20) if query.strip() else []
    return render(request, "web/kb/portal_search.html", {
        "q": query, "language": language, "hits": hits, "languages": _languages(request),
    })


@require_GET
@customer_page
def portal_article(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.public_article(article_id)
    if article is None:
        raise Http404("no such article")
    language = _customer_language(request)
    version = selectors.version(article, language)
    services.article_viewed(viewer=request.viewer, article=article,
                            language=version.language if version else language)
    return render(request, "web/kb/portal_article.html", {
        "article": article, "version": version,
        "versions": list(article.translations.all()),
        "thanked": request.GET.get("thanks") == "1",
    })


@require_POST
@customer_page
def portal_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    article = selectors.public_article(article_id)
    if article is None:
        raise Http404("no such article")
    language = request.POST.get("language", "en")
    try:
        services.article_feedback(viewer=request.viewer, article=article,
                                  language=language if language in LANGUAGE_NAMES else "en",
                                  helpful=request.POST.get("helpful") == "yes",
                                  comment=request.POST.get("comment", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(f"/portal/kb/{article.pk}/?language={language}&thanks=1")


@require_http_methods(["GET", "POST"])
@customer_page
def portal_bot(request: HttpRequest) -> HttpResponse:
    """The L0 bot in the portal: ask, read the articles, say whether they solved it."""
    context = {"languages": _languages(request), "language": _customer_language(request)}
    if request.method == "POST":
        try:
            conversation = bot.bot_ask(viewer=request.viewer,
                                       question=request.POST.get("question", ""),
                                       language=request.POST.get("language", ""))
        except ServiceError as exc:
            context["error"] = exc.message
            return render(request, "web/kb/portal_bot.html", context, status=400)
        return redirect("web:portal_bot_conversation", conversation_id=conversation.pk)
    return render(request, "web/kb/portal_bot.html", context)


def _conversation(request: HttpRequest, conversation_id: int) -> BotConversation:
    found = BotConversation.objects.filter(pk=conversation_id,
                                           contact=request.viewer.contact).first()
    if found is None:
        raise Http404("no such conversation")
    return found


@require_GET
@customer_page
def portal_bot_conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    articles = {a.pk: a for a in Article.objects.filter(pk__in=conversation.articles)}
    offered = []
    for pk in conversation.articles:
        article = articles.get(pk)
        if article is not None and article.is_public:
            offered.append((article, selectors.version(article, conversation.language)))
    return render(request, "web/kb/portal_bot.html", {
        "conversation": conversation, "offered": offered, "languages": _languages(request),
        "language": conversation.language,
    })


@require_POST
@customer_page
def portal_bot_answer(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    try:
        bot.bot_reply(viewer=request.viewer, conversation_id=conversation.pk,
                      solved=request.POST.get("solved") == "yes",
                      message=request.POST.get("message", ""))
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("web:portal_bot_conversation", conversation_id=conversation.pk)
