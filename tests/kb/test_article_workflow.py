"""DataFlow's "9.2 Process": draft, "Review for compliance", managers "Review updates
weekly for accuracy" and publish; sensitive articles stay internal."""

import pytest

from tests.kb.conftest import publish
from tierdesk.common.errors import Conflict, Forbidden, ServiceError
from tierdesk.kb import services
from tierdesk.kb.models import Article, ArticleEvent, Review


def _draft(team, **kw):
    return services.article_create(
        viewer=team.v(team.alice), language="en", title="DS-1001: Invalid credentials",
        body="1. Open **Data sources**.\n2. Re-enter the password.", error_codes=["ds-1001"],
        category="data-sources", **kw)


def test_an_article_is_published_only_after_the_accuracy_and_compliance_reviews(
        dataflow, team):
    article = _draft(team)
    assert article.status == "draft" and article.error_codes == ["DS-1001"]
    services.article_submit(viewer=team.v(team.alice), article=article)
    services.article_review(viewer=team.v(team.maria), article=article, step="accuracy",
                            approve=True)
    with pytest.raises(Conflict, match="Compliance review"):
        services.article_publish(viewer=team.v(team.maria), article=article)
    services.article_review(viewer=team.v(team.dora), article=article, step="compliance",
                            approve=True, comment="No customer data shown")
    published = services.article_publish(viewer=team.v(team.maria), article=article)
    assert published.status == "published" and published.published_at is not None
    assert list(ArticleEvent.objects.filter(article=article).values_list("type", flat=True)) \
        == ["created", "submitted", "reviewed", "reviewed", "published"]


def test_changes_requested_send_the_article_back_to_draft_and_a_new_round_starts(
        dataflow, team):
    article = _draft(team)
    services.article_submit(viewer=team.v(team.alice), article=article)
    services.article_review(viewer=team.v(team.maria), article=article, step="accuracy",
                            approve=False, comment="Step 2 is wrong")
    article.refresh_from_db()
    assert article.status == "draft"
    services.article_edit(viewer=team.v(team.alice), article=article, language="en",
                          title="DS-1001: Invalid credentials", body="1. Reset the token.")
    services.article_submit(viewer=team.v(team.alice), article=article)
    services.article_review(viewer=team.v(team.dora), article=article, step="compliance",
                            approve=True)
    # the first round's refusal does not count, and an approval of round 1 would not either
    with pytest.raises(Conflict, match="accuracy"):
        services.article_publish(viewer=team.v(team.maria), article=article)
    assert Review.objects.filter(article=article, round=2).count() == 1


def test_only_the_roles_the_pack_names_review_and_publish(dataflow, team):
    article = _draft(team)
    services.article_submit(viewer=team.v(team.alice), article=article)
    with pytest.raises(Forbidden):
        services.article_review(viewer=team.v(team.kim), article=article, step="accuracy",
                                approve=True)
    with pytest.raises(ServiceError, match="unknown review step"):
        services.article_review(viewer=team.v(team.maria), article=article, step="tone",
                                approve=True)
    with pytest.raises(Forbidden):
        services.article_publish(viewer=team.v(team.alice), article=article)


def test_an_author_cannot_review_their_own_article(dataflow, team):
    article = services.article_create(viewer=team.v(team.maria), language="en", title="T",
                                      body="B")
    services.article_submit(viewer=team.v(team.maria), article=article)
    with pytest.raises(Forbidden, match="own article"):
        services.article_review(viewer=team.v(team.maria), article=article, step="accuracy",
                                approve=True)


def test_editing_a_published_article_unpublishes_it_until_reviewed_again(dataflow, team):
    article = publish(team, title="Webhook failures", body="Retry from the console.")
    services.article_edit(viewer=team.v(team.alice), article=article, language="es",
                          title="Fallos de webhook", body="Reintente desde la consola.")
    article.refresh_from_db()
    assert article.status == "draft"
    assert sorted(article.translations.values_list("language", flat=True)) == ["en", "es"]


def test_security_articles_are_internal_whatever_the_author_asks(dataflow, team):
    """"For sensitive issues (e.g., security breaches), restrict articles to internal use"."""
    article = services.article_create(viewer=team.v(team.alice), language="en",
                                      title="Breach response", body="Call the CISO.",
                                      category="security", visibility="public")
    assert article.visibility == Article.Visibility.INTERNAL


def test_the_body_is_rendered_from_markdown_and_sanitised(dataflow, team):
    article = services.article_create(
        viewer=team.v(team.alice), language="en", title="Steps",
        body="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) `code`")
    html = article.translations.get().body_html
    assert "<strong>Bold</strong>" in html and "<code>code</code>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # shown as text, never run
    assert 'href="javascript' not in html


def test_every_revision_is_kept_with_its_diff(dataflow, team, api_as):
    article = _draft(team)
    services.article_edit(viewer=team.v(team.alice), article=article, language="en",
                          title="DS-1001: Invalid credentials",
                          body="1. Open **Data sources**.\n2. Rotate the API key.",
                          note="key, not password")
    history = api_as(team.alice).get(f"/api/v1/kb/articles/{article.pk}/history").json()
    assert [h["number"] for h in history] == [1, 2]
    assert "-2. Re-enter the password." in history[1]["diff"]
    assert "+2. Rotate the API key." in history[1]["diff"]
    assert history[1]["note"] == "key, not password"


def test_a_language_outside_the_pack_is_refused_naming_the_field(dataflow, team, api_as):
    r = api_as(team.alice).post("/api/v1/kb/articles", {"language": "ar", "title": "T",
                                                        "body": "B"})
    assert r.status_code == 400 and r.json()["field"] == "language"
    assert not Article.objects.exists()


def test_arabic_versions_read_right_to_left(team, api_as):
    from tests.kb.conftest import apply_pack

    apply_pack("nexacore")
    article = services.article_create(viewer=team.v(team.alice), language="ar",
                                      title="إعادة تعيين كلمة المرور", body="اتبع الخطوات")
    body = api_as(team.alice).get(f"/api/v1/kb/articles/{article.pk}").json()
    assert body["versions"][0]["direction"] == "rtl"


def test_feedback_and_views_are_counted_per_month(dataflow, team, api_as):
    article = publish(team, title="Slow dashboards", body="Reduce the date range.")
    customer = api_as(team.customer)
    customer.get(f"/api/v1/kb/articles/{article.pk}")
    customer.get(f"/api/v1/kb/articles/{article.pk}")
    assert customer.post(f"/api/v1/kb/articles/{article.pk}/feedback",
                         {"helpful": True}).status_code == 201
    customer.post(f"/api/v1/kb/articles/{article.pk}/feedback", {"helpful": False,
                                                                 "comment": "too short"})
    article.refresh_from_db()
    assert (article.views, article.helpful_yes, article.helpful_no) == (2, 1, 1)
    figures = api_as(team.maria).get("/api/v1/kb/figures").json()
    assert figures["articles"][-1]["views"] == 2
    assert figures["articles"][-1]["helpful_share"] == 0.5
