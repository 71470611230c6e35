"""The L0 bot: answers a customer's question with the best published articles in their
language, asks "did this solve it?", counts a deflection on yes, and hands off to the
first line (the pack's ``knowledge.bot.handoff_tier``) with the transcript and the
articles tried when not, when the customer asks for a person, or at once when the
question is urgent: its error code or the pack's classification (keywords such as
DataFlow's "Service Unavailable") lands on one of ``urgent_priorities``.

Retrieval is the same full-text search as the portal's, public articles only. The bot is
a channel: the portal page and the API call these functions, and so can a chat widget.
"""

import re
from typing import Any

from django.db import transaction

from tierdesk import clock
from tierdesk.common.errors import Conflict, Forbidden, NotFound, ServiceError
from tierdesk.kb import policy, selectors
from tierdesk.kb.models import BotConversation
from tierdesk.packs.selectors import active_pack
from tierdesk.people.access import SYSTEM, Viewer
from tierdesk.people.models import Tier
from tierdesk.policy import classify
from tierdesk.search import text
from tierdesk.tickets import services as tickets
from tierdesk.tickets.models import Channel

MAX_QUESTION = 2000
ASK = {
    "en": "Did this solve it?",
    "es": "¿Esto lo ha resuelto?",
    "fr": "Cela a-t-il résolu le problème ?",
    "ar": "هل حلّ هذا مشكلتك؟",
}
HANDED = {
    "en": "A support agent will take it from here: request #{id}.",
    "es": "Un agente de soporte continuará desde aquí: solicitud #{id}.",
    "fr": "Un agent du support prend le relais : demande n°{id}.",
    "ar": "سيتابع أحد موظفي الدعم طلبك رقم #{id}.",
}
# "I want a person": said in the customer's words, matched on folded words.
_PERSON = """human person agent someone representative operator
    people staff humano persona agente alguien operador humain personne agent conseiller
    quelqu operateur موظف شخص انسان إنسان وكيل"""
PERSON_WORDS = {text.fold(w) for w in _PERSON.split()}
PERSON_PHRASES = [re.compile(p, re.IGNORECASE) for p in (
    r"\b(talk|speak|chat) (to|with)\b", r"\bhablar con\b", r"\bparler (à|a|avec)\b",
    r"أريد التحدث|اريد التحدث")]


def _language(viewer: Viewer, wanted: str, pack: Any = None) -> str:
    allowed = policy.languages(pack)
    contact = viewer.contact
    for lang in (wanted, contact.language if contact else "",
                 contact.organisation.language if contact and contact.organisation else ""):
        if lang and lang in allowed:
            return lang
    return allowed[0] if allowed else "en"


def wants_person(question: str) -> bool:
    words = set(text.words(question))
    if words & PERSON_WORDS:
        return any(p.search(question) for p in PERSON_PHRASES) or len(words) <= 4
    return False


def urgent_reason(question: str, pack: Any = None) -> str:
    """Return why the pack calls this question urgent ("" if it does not)."""
    pack = pack if pack is not None else active_pack()
    bot = policy.knowledge(pack).bot
    if pack is None or bot is None or not bot.urgent_priorities:
        return ""
    codes = [c for c in selectors.error_codes_in(question) if c in pack.error_codes]
    result = classify(pack, {"subject": question, "body": "", "channel": "chatbot",
                             "error_code": codes[0] if codes else None})
    if result.priority in bot.urgent_priorities:
        why = f"error code {codes[0]}" if result.rule == "error_code" and codes \
            else f"classification rule {result.rule!r}"
        return f"urgent: {result.priority} by {why}"
    return ""


def _require_customer(viewer: Viewer) -> None:
    if not viewer.is_customer:
        raise Forbidden("the bot answers customers")


def bot_ask(*, viewer: Viewer, question: str, language: str = "") -> BotConversation:
    """Start a conversation: articles offered, or a hand-off at once when it is urgent,
    the customer asks for a person or no article answers it."""
    _require_customer(viewer)
    question = question.strip()
    if not question:
        raise ServiceError("question must not be empty", field="question")
    if len(question) > MAX_QUESTION:
        raise ServiceError(f"question is longer than {MAX_QUESTION} characters",
                           field="question")
    pack = active_pack()  # read once: outside a transaction every read is a query
    lang = _language(viewer, language, pack)
    now = clock.now()
    transcript = [{"from": "customer", "text": question, "at": now.isoformat()}]
    reason = urgent_reason(question, pack) or ("asked for a person"
                                                if wants_person(question) else "")
    hits = [] if reason else selectors.search_articles(
        query=question, language=lang, public=True,
        limit=(policy.knowledge(pack).bot or _default_bot()).max_articles)
    if hits:
        transcript.append({
            "from": "bot", "at": now.isoformat(), "text": ASK.get(lang, ASK["en"]),
            "articles": [{"id": h.article.pk, "title": h.translation.title,
                          "language": h.translation.language} for h in hits]})
    with transaction.atomic(durable=True):
        conversation = BotConversation.objects.create(
            contact=viewer.contact, language=lang, question=question, transcript=transcript,
            articles=[h.article.pk for h in hits], created_at=now)
    if not hits:
        return _hand_off(viewer, conversation, reason or "no published article answers it")
    return conversation


def _default_bot():
    from tierdesk.policy.schema_knowledge import Bot

    return Bot()


def bot_reply(*, viewer: Viewer, conversation_id: int, solved: bool,
              message: str = "") -> BotConversation:
    """The customer's answer to "did this solve it?": yes is a deflection, no (or a
    follow-up asking for a person) hands off with the transcript."""
    _require_customer(viewer)
    conversation = BotConversation.objects.filter(pk=conversation_id,
                                                  contact=viewer.contact).first()
    if conversation is None:
        raise NotFound("no such conversation")
    if conversation.outcome != BotConversation.Outcome.OPEN:
        raise Conflict(f"this conversation has ended ({conversation.outcome})",
                       field="conversation")
    now = clock.now()
    entry = {"from": "customer", "at": now.isoformat(), "text": message.strip()[:2000],
             "solved": solved}
    if solved:
        with transaction.atomic(durable=True):
            locked = BotConversation.objects.select_for_update().get(pk=conversation.pk)
            if locked.outcome != BotConversation.Outcome.OPEN:
                raise Conflict("this conversation has ended", field="conversation")
            locked.transcript.append(entry)
            locked.outcome = BotConversation.Outcome.DEFLECTED
            locked.closed_at = now
            locked.save(update_fields=["transcript", "outcome", "closed_at"])
        return locked
    conversation.transcript.append(entry)
    reason = "asked for a person" if message and wants_person(message) \
        else "the articles did not solve it"
    return _hand_off(viewer, conversation, reason)


def _transcript_text(conversation: BotConversation) -> str:
    lines = ["Conversation with the L0 bot:"]
    for turn in conversation.transcript:
        who = "Customer" if turn["from"] == "customer" else "Bot"
        said = turn.get("text") or ""
        if "solved" in turn:
            said = ("Yes, solved. " if turn["solved"] else "No, not solved. ") + said
        lines.append(f"{who}: {said}".rstrip())
        for article in turn.get("articles", []):
            lines.append(f"  - KB-{article['id']}: {article['title']}")
    return "\n".join(lines)


def _hand_off(viewer: Viewer, conversation: BotConversation, reason: str) -> BotConversation:
    """Open a ticket for the first line carrying the transcript and the articles tried."""
    pack = active_pack()
    codes = [c for c in selectors.error_codes_in(conversation.question)
             if pack is not None and c in pack.error_codes]
    tried = ", ".join(f"KB-{pk}" for pk in conversation.articles) or "none"
    body = f"{_transcript_text(conversation)}\n\nArticles tried: {tried}\nHand-off: {reason}"
    subject = conversation.question.splitlines()[0][:120]
    ticket, _ = tickets.ticket_create(
        viewer=viewer, subject=subject, body=body, requester=viewer.contact,
        channel=Channel.CHATBOT, error_code=codes[0] if codes else "",
        language=conversation.language, tags=["bot-handoff"])
    bot = policy.knowledge().bot
    tier = Tier.objects.filter(code=bot.handoff_tier).first() if bot and bot.handoff_tier \
        else None
    if tier is not None and ticket.tier_id is None:
        tickets.ticket_update(ticket=ticket, viewer=SYSTEM, changes={"tier": tier},
                              reason="L0 bot hand-off")
    now = clock.now()
    with transaction.atomic(durable=True):
        conversation.transcript.append({
            "from": "bot", "at": now.isoformat(),
            "text": HANDED.get(conversation.language, HANDED["en"]).format(id=ticket.pk)})
        conversation.outcome = BotConversation.Outcome.HANDED_OFF
        conversation.handoff_reason = reason[:200]
        conversation.ticket = ticket
        conversation.closed_at = now
        conversation.save()
    return conversation
