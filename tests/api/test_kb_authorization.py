"""Every knowledge-base, handle-time and bot endpoint x persona, like the API matrix.
No pack is active: writing is for agents, the review and publishing for KB specialists
and support managers; customers read published public articles and talk to the bot."""

import pytest

from tests.kb.matrix_data import kb_ids
from tests.matrix import cases, fill, persona_user

# anonymous, customer, foreign_customer, agent, outsider_agent, manager
MATRIX = [
    ("search", "get", "/api/v1/kb/articles?q=credentials", None, [401, 200, 200, 200, 200, 200]),
    ("write", "post", "/api/v1/kb/articles", {"title": "T", "body": "B"},
     [401, 403, 403, 201, 201, 201]),
    ("read published", "get", "/api/v1/kb/articles/{article}", None,
     [401, 200, 200, 200, 200, 200]),
    ("read internal", "get", "/api/v1/kb/articles/{internal}", None,
     [401, 404, 404, 200, 200, 200]),
    ("read draft", "get", "/api/v1/kb/articles/{draft}", None, [401, 404, 404, 200, 200, 200]),
    ("edit", "patch", "/api/v1/kb/articles/{draft}", {"title": "T2", "body": "B2"},
     [401, 403, 403, 200, 200, 200]),
    ("submit", "post", "/api/v1/kb/articles/{draft}/submit", None,
     [401, 403, 403, 200, 200, 200]),
    ("review", "post", "/api/v1/kb/articles/{in_review}/reviews",
     {"step": "review", "approve": True}, [401, 403, 403, 403, 403, 201]),
    ("publish", "post", "/api/v1/kb/articles/{approved}/publish", None,
     [401, 403, 403, 403, 403, 200]),
    ("archive", "post", "/api/v1/kb/articles/{article}/archive", None,
     [401, 403, 403, 403, 403, 200]),
    ("history", "get", "/api/v1/kb/articles/{article}/history", None,
     [401, 403, 403, 200, 200, 200]),
    ("feedback", "post", "/api/v1/kb/articles/{article}/feedback", {"helpful": True},
     [401, 201, 201, 201, 201, 201]),
    ("feedback on internal", "post", "/api/v1/kb/articles/{internal}/feedback",
     {"helpful": True}, [401, 404, 404, 201, 201, 201]),
    ("my KB tasks", "get", "/api/v1/kb/tasks", None, [401, 403, 403, 200, 200, 200]),
    ("overdue KB tasks", "get", "/api/v1/kb/tasks?overdue=true", None,
     [401, 403, 403, 403, 403, 200]),
    ("deflection figures", "get", "/api/v1/kb/figures", None, [401, 403, 403, 403, 403, 200]),
    ("log handle time", "post", "/api/v1/tickets/{ticket}/time", {"minutes": 5},
     [401, 403, 404, 201, 404, 201]),
    ("read handle time", "get", "/api/v1/tickets/{ticket}/time", None,
     [401, 403, 404, 200, 404, 200]),
    ("heartbeat", "post", "/api/v1/tickets/{ticket}/heartbeat", None,
     [401, 403, 404, 200, 404, 200]),
    ("KB suggestions", "get", "/api/v1/tickets/{ticket}/kb-suggestions", None,
     [401, 403, 404, 200, 404, 200]),
    ("ask the bot", "post", "/api/v1/bot/conversations", {"question": "credentials"},
     [401, 201, 201, 403, 403, 403]),
    ("read a conversation", "get", "/api/v1/bot/conversations/{conversation}", None,
     [401, 200, 404, 404, 404, 404]),
    ("answer the bot", "post", "/api/v1/bot/conversations/{conversation}/answer",
     {"solved": True}, [401, 200, 404, 403, 403, 403]),
]


@pytest.mark.parametrize(("name", "method", "path", "body", "persona", "expected"),
                         cases(MATRIX))
def test_kb_endpoint_authorization(world, api_as, name, method, path, body, persona, expected):
    ids = kb_ids(world)
    api = api_as(persona_user(world, persona))
    response = getattr(api, method)(fill(path, ids), *([fill(body, ids)] if body else []))
    assert response.status_code == expected, response.content
