"""Article services: the only code that changes articles. One transaction per call, each
change written to the article's audit log and the search index in that transaction.

The workflow is draft -> in review -> published -> archived. Submitting starts a review
round; every review step the pack names (DataFlow: the managers' accuracy review and the
compliance review) must be approved in that round, by someone holding the step's role
who is not the author, before a publisher may publish. Changes requested, or an edit to
an article under review or published, send it back to draft.
"""

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, NotFound, ServiceError
from tierdesk.kb import policy, search
from tierdesk.kb.models import (
    Article,
    ArticleEvent,
    Feedback,
    KbTask,
    MonthlyStat,
    Review,
    Revision,
    Translation,
)
from tierdesk.kb.rendering import render_markdown
from tierdesk.people.access import Viewer

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*-\d+$")
MAX_TITLE = 300
MAX_BODY = 100_000


def _event(article: Article, type_: str, viewer: Viewer | None, at, **data) -> None:
    ArticleEvent.objects.create(article=article, type=type_, created_at=at, data=data,
                                actor=viewer.user if viewer is not None else None)


def _clean_codes(codes: Iterable[str]) -> list[str]:
    out: list[str] = []
    for raw in codes:
        code = str(raw).strip().upper()
        if not code:
            continue
        if not CODE_RE.match(code):
            raise ServiceError(f"error code {raw!r} must look like DS-1001", field="error_codes")
        if code not in out:
            out.append(code)
    return out


def _check_text(language: str, title: str, body: str) -> tuple[str, str]:
    if language not in policy.languages():
        raise ServiceError(f"language {language!r} is not one of this knowledge base's "
                           f"languages ({', '.join(policy.languages())})", field="language")
    title, body = title.strip(), body.strip()
    if not title:
        raise ServiceError("title must not be empty", field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(f"title is longer than {MAX_TITLE} characters", field="title")
    if not body:
        raise ServiceError("body must not be empty", field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(f"body is longer than {MAX_BODY} characters", field="body")
    return title, body


def _visibility(category: str, visibility: str) -> str:
    if visibility not in Article.Visibility.values:
        raise ServiceError("visibility must be public or internal", field="visibility")
    if category and category in policy.knowledge().internal_categories:
        return Article.Visibility.INTERNAL  # "restrict articles to internal use"
    return visibility


def _require_writer(viewer: Viewer) -> None:
    if not policy.may_write(viewer):
        raise Forbidden("only knowledge-base writers may write articles")


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _save_version(article: Article, *, viewer: Viewer, language: str, title: str,
                  body: str, note: str, now) -> Translation:
    translation = Translation.objects.filter(article=article, language=language).first()
    html = render_markdown(body)
    if translation is None:
        translation = Translation.objects.create(
            article=article, language=language, title=title, body_md=body, body_html=html,
            revision=1, updated_at=now)
    else:
        if translation.title == title and translation.body_md == body:
            return translation
        translation.revision += 1
        translation.title, translation.body_md, translation.body_html = title, body, html
        translation.updated_at = now
        translation.save()
    Revision.objects.create(translation=translation, number=translation.revision,
                            title=title, body_md=body, author=viewer.user, note=note,
                            created_at=now)
    return translation


@transaction.atomic(durable=True)
def article_create(*, viewer: Viewer, language: str, title: str, body: str,
                   category: str = "", error_codes: Iterable[str] = (),
                   visibility: str = Article.Visibility.PUBLIC,
                   task: KbTask | None = None) -> Article:
    """Write a draft article in one language (more versions are added by editing)."""
    _require_writer(viewer)
    title, body = _check_text(language, title, body)
    codes = _clean_codes(error_codes)
    category = category.strip()
    now = clock.now()
    article = Article.objects.create(
        category=category, error_codes=codes, visibility=_visibility(category, visibility),
        author=viewer.user, created_at=now, updated_at=now)
    _save_version(article, viewer=viewer, language=language, title=title, body=body,
                  note="first draft", now=now)
    if task is not None:
        KbTask.objects.filter(pk=task.pk, article__isnull=True).update(article=article)
    _event(article, "created", viewer, now, language=language, title=title,
           task=task.pk if task else None)
    search.index_article(article)
    return article


@transaction.atomic(durable=True)
def article_edit(*, viewer: Viewer, article: Article, language: str, title: str, body: str,
                 note: str = "", category: str | None = None,
                 error_codes: Iterable[str] | None = None,
                 visibility: str | None = None) -> Article:
    """Save a new revision of one language version (or add that language). An article
    under review or published goes back to draft: what readers see was reviewed."""
    _require_writer(viewer)
    title, body = _check_text(language, title, body)
    article = _locked(article)
    if article.status == Article.Status.ARCHIVED:
        raise Conflict("an archived article cannot be edited", field="status")
    now = clock.now()
    if category is not None:
        article.category = category.strip()
    if error_codes is not None:
        article.error_codes = _clean_codes(error_codes)
    article.visibility = _visibility(article.category, visibility or article.visibility)
    translation = _save_version(article, viewer=viewer, language=language, title=title,
                                body=body, note=note.strip()[:500], now=now)
    old_status = article.status
    if old_status != Article.Status.DRAFT:
        article.status = Article.Status.DRAFT
    article.updated_at = now
    article.save()
    _event(article, "edited", viewer, now, language=language, revision=translation.revision,
           status_before=old_status)
    search.index_article(article)
    return article


@transaction.atomic(durable=True)
def article_submit(*, viewer: Viewer, article: Article) -> Article:
    """Send a draft for review: a new review round starts."""
    _require_writer(viewer)
    article = _locked(article)
    if article.status != Article.Status.DRAFT:
        raise Conflict(f"only a draft can be submitted for review (it is {article.status})",
                       field="status")
    now = clock.now()
    article.status = Article.Status.IN_REVIEW
    article.review_round += 1
    article.submitted_at = now
    article.updated_at = now
    article.save()
    _event(article, "submitted", viewer, now, round=article.review_round)
    return article


def review_state(article: Article) -> list[tuple[object, Review | None]]:
    """Return each review step the pack names with its decision in the current round."""
    reviews = {r.step: r for r in Review.objects.filter(article=article,
                                                        round=article.review_round)}
    return [(step, reviews.get(step.code)) for step in policy.knowledge().reviews]


@transaction.atomic(durable=True)
def article_review(*, viewer: Viewer, article: Article, step: str, approve: bool,
                   comment: str = "") -> Review:
    """Record a reviewer's decision on one step; changes requested return it to draft."""
    steps = {s.code: s for s in policy.knowledge().reviews}
    if step not in steps:
        raise ServiceError(f"unknown review step {step!r} (this pack reviews: "
                           f"{', '.join(steps) or 'nothing'})", field="step")
    if not policy.holds(viewer, steps[step].roles):
        raise Forbidden(f"the {steps[step].label} is for {', '.join(steps[step].roles)}")
    article = _locked(article)
    if article.status != Article.Status.IN_REVIEW:
        raise Conflict("the article is not in review", field="status")
    if article.author_id is not None and article.author_id == viewer.user.pk:
        raise Forbidden("an author cannot review their own article")
    if not approve and not comment.strip():
        raise ServiceError("say what needs to change", field="comment")
    now = clock.now()
    review = Review.objects.create(
        article=article, round=article.review_round, step=step, reviewer=viewer.user,
        decision=Review.Decision.APPROVED if approve else Review.Decision.CHANGES,
        comment=comment.strip(), created_at=now)
    if not approve:
        article.status = Article.Status.DRAFT
        article.updated_at = now
        article.save(update_fields=["status", "updated_at"])
        _close_review_tasks(article, now)
    _event(article, "reviewed", viewer, now, step=step, decision=review.decision,
           round=article.review_round, comment=review.comment)
    return review


@transaction.atomic(durable=True)
def article_publish(*, viewer: Viewer, article: Article) -> Article:
    """Publish an article every review step approved in its current round."""
    if not policy.may_publish(viewer):
        raise Forbidden("only " + ", ".join(policy.knowledge().publishers)
                        + " may publish articles")
    article = _locked(article)
    if article.status != Article.Status.IN_REVIEW:
        raise Conflict("only an article in review can be published", field="status")
    missing = [s.label for s, review in review_state(article)
               if review is None or review.decision != Review.Decision.APPROVED]
    if missing:
        raise Conflict("still needs: " + "; ".join(missing), field="reviews",
                       details={"missing": missing})
    now = clock.now()
    article.status = Article.Status.PUBLISHED
    article.published_at = now
    article.updated_at = now
    article.save()
    done = KbTask.objects.filter(article=article, state=KbTask.State.OPEN).update(
        state=KbTask.State.DONE, done_at=now)
    _event(article, "published", viewer, now, round=article.review_round, tasks_done=done)
    return article


@transaction.atomic(durable=True)
def article_archive(*, viewer: Viewer, article: Article) -> Article:
    if not policy.may_publish(viewer):
        raise Forbidden("only " + ", ".join(policy.knowledge().publishers)
                        + " may archive articles")
    article = _locked(article)
    if article.status == Article.Status.ARCHIVED:
        raise Conflict("the article is already archived", field="status")
    now = clock.now()
    article.status = Article.Status.ARCHIVED
    article.updated_at = now
    article.save(update_fields=["status", "updated_at"])
    _close_review_tasks(article, now)
    _event(article, "archived", viewer, now)
    return article


def _month(now) -> str:
    return now.strftime("%Y-%m")


def _stat(article: Article, language: str, now, **increments: int) -> None:
    month = _month(now)
    updated = MonthlyStat.objects.filter(article=article, month=month, language=language) \
        .update(**{k: F(k) + v for k, v in increments.items()})
    if not updated:
        MonthlyStat.objects.get_or_create(article=article, month=month, language=language)
        MonthlyStat.objects.filter(article=article, month=month, language=language) \
            .update(**{k: F(k) + v for k, v in increments.items()})


def check_readable(viewer: Viewer | None, article: Article) -> None:
    """Customers (and the bot) read published public articles only; agents read all."""
    if viewer is not None and viewer.is_agent:
        return
    if not article.is_public:
        raise NotFound("no such article")


@transaction.atomic
def article_viewed(*, viewer: Viewer | None, article: Article, language: str) -> None:
    """Count a reader's view (agents' views of drafts are not counted)."""
    check_readable(viewer, article)
    if article.status != Article.Status.PUBLISHED:
        return
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)
    _stat(article, language, clock.now(), views=1)


@transaction.atomic(durable=True)
def article_feedback(*, viewer: Viewer | None, article: Article, language: str,
                     helpful: bool, comment: str = "") -> Feedback:
    """Record "did this help?" (yes/no, with an optional comment)."""
    check_readable(viewer, article)
    if article.status != Article.Status.PUBLISHED:
        raise Conflict("only published articles take feedback", field="status")
    if len(comment) > 2000:
        raise ServiceError("comment is longer than 2000 characters", field="comment")
    now = clock.now()
    field = "helpful_yes" if helpful else "helpful_no"
    Article.objects.filter(pk=article.pk).update(**{field: F(field) + 1})
    _stat(article, language, now, **{field: 1})
    return Feedback.objects.create(
        article=article, language=language, helpful=helpful, comment=comment.strip(),
        user=viewer.user if viewer is not None else None, created_at=now)


def _close_review_tasks(article: Article, now) -> int:
    """The article left review (sent back, archived): its review task is done."""
    return KbTask.objects.filter(article=article, kind=KbTask.Kind.REVIEW,
                                 state=KbTask.State.OPEN).update(
        state=KbTask.State.DONE, done_at=now)
