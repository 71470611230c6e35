"""Every knowledge-base and bot page x persona (the same personas as the web matrix):
the workspace pages are for agents, publishing for KB specialists and managers, the
help centre and the bot for customers, and an internal article is a 404 to customers."""

import pytest
from django.test import Client

from tests.kb.matrix_data import kb_ids
from tests.matrix import cases, fill, persona_user

# anonymous, customer, foreign_customer, agent, outsider_agent, manager
MATRIX = [
    ("KB list", "get", "/agent/kb/", None, [302, 403, 403, 200, 200, 200]),
    ("KB search", "get", "/agent/kb/?q=runbook&status=published", None,
     [302, 403, 403, 200, 200, 200]),
    ("write form", "get", "/agent/kb/new/", None, [302, 403, 403, 200, 200, 200]),
    ("write", "post", "/agent/kb/new/", {"title": "T", "body": "B"},
     [302, 403, 403, 302, 302, 302]),
    ("article page", "get", "/agent/kb/{article}/", None, [302, 403, 403, 200, 200, 200]),
    ("internal article page", "get", "/agent/kb/{internal}/", None,
     [302, 403, 403, 200, 200, 200]),
    ("edit", "post", "/agent/kb/{draft}/edit/", {"language": "en", "title": "T2", "body": "B"},
     [302, 403, 403, 302, 302, 302]),
    ("submit", "post", "/agent/kb/{draft}/submit/", {}, [302, 403, 403, 302, 302, 302]),
    ("review", "post", "/agent/kb/{in_review}/review/", {"step": "review",
                                                         "decision": "approve"},
     [302, 403, 403, 403, 403, 302]),
    ("publish", "post", "/agent/kb/{approved}/publish/", {}, [302, 403, 403, 403, 403, 302]),
    ("archive", "post", "/agent/kb/{article}/archive/", {}, [302, 403, 403, 403, 403, 302]),
    ("heartbeat", "post", "/agent/tickets/{ticket}/heartbeat/", {},
     [302, 403, 403, 200, 404, 200]),
    ("help centre", "get", "/portal/kb/?q=credentials", None, [302, 200, 200, 403, 403, 403]),
    ("portal article", "get", "/portal/kb/{article}/", None, [302, 200, 200, 403, 403, 403]),
    ("portal internal article", "get", "/portal/kb/{internal}/", None,
     [302, 404, 404, 403, 403, 403]),
    ("portal draft article", "get", "/portal/kb/{draft}/", None,
     [302, 404, 404, 403, 403, 403]),
    ("feedback", "post", "/portal/kb/{article}/feedback/", {"helpful": "yes"},
     [302, 302, 302, 403, 403, 403]),
    ("feedback on internal", "post", "/portal/kb/{internal}/feedback/", {"helpful": "yes"},
     [302, 404, 404, 403, 403, 403]),
    ("bot page", "get", "/portal/help/", None, [302, 200, 200, 403, 403, 403]),
    ("ask the bot", "post", "/portal/help/", {"question": "credentials"},
     [302, 302, 302, 403, 403, 403]),
    ("bot conversation", "get", "/portal/help/{conversation}/", None,
     [302, 200, 404, 403, 403, 403]),
    ("answer the bot", "post", "/portal/help/{conversation}/answer/", {"solved": "yes"},
     [302, 302, 404, 403, 403, 403]),
]


@pytest.mark.parametrize(("name", "method", "path", "form", "persona", "expected"),
                         cases(MATRIX))
def test_kb_page_authorization(world, name, method, path, form, persona, expected):
    ids = kb_ids(world)
    client = Client()
    user = persona_user(world, persona)
    if user is not None:
        client.force_login(user)
    url = fill(path, ids)
    response = client.post(url, form or {}) if method == "post" else client.get(url)
    assert response.status_code == expected, response.content[:300]
    if persona == "anonymous":
        assert response["Location"].startswith("/login/?next=")
