"""Email in (issue 12, section 1): every behaviour, each with its own message, through
each door (CLI, HTTP hook, SMTP into Dovecot read by the IMAP poller)."""

import base64

import pytest

from tests.factories import ContactFactory, OrganisationFactory, TicketFactory
from tests.mail.messages import mail, new_id, raw
from tierdesk.mail.models import InboundMail, InlinePart, MailThreadId, Participant
from tierdesk.outbox.models import OutboxMessage
from tierdesk.tickets.models import Attachment, Message, Ticket

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def redwood(dataflow):
    org = OrganisationFactory(name="Redwood Bank", external_id="RW", plan="Enterprise",
                              language="en")
    ann = ContactFactory(organisation=org, name="Ann Lee", email="ann@redwood.example.com")
    return ann


def only_ticket() -> Ticket:
    (ticket,) = Ticket.objects.all()
    return ticket


def first_message(ticket: Ticket) -> Message:
    return ticket.messages.order_by("id").first()


# --- Intake and what each door reports ------------------------------------------------


def test_a_customer_mail_opens_a_ticket_and_the_door_says_which(door, redwood):
    result = door(mail(subject="Dashboards are empty", body="Since 9:00 no charts load."))

    ticket = only_ticket()
    assert result["outcome"] == "created"
    assert result["result"] == f"created ticket {ticket.pk}"
    assert ticket.channel == "email" and ticket.requester == redwood
    assert ticket.subject == "Dashboards are empty"
    assert first_message(ticket).body_text == "Since 9:00 no charts load."
    # The same service as the API: DataFlow classifies, its SLA starts, it acknowledges.
    assert ticket.priority and ticket.classified_by
    assert OutboxMessage.objects.filter(ticket_id=ticket.pk,
                                        payload__template="initial_response").count() == 1


def test_mail_from_a_stranger_makes_them_a_contact(door, dataflow):
    result = door(mail(sender="Zed Quinn <zed@unknown.example.org>", subject="Hi"))

    assert result["outcome"] == "created"
    ticket = only_ticket()
    assert ticket.requester.email == "zed@unknown.example.org"
    assert ticket.requester.name == "Zed Quinn"


def test_the_raw_message_is_stored_byte_exact_before_parsing(door, redwood):
    message = mail(subject="Keep me exactly", body="bytes matter")
    result = door(message)

    stored = InboundMail.objects.get(pk=result["inbound_id"])
    # Byte for byte as the door received it (SMTP and IMAP carry lines with CRLF ends).
    assert bytes(stored.raw).replace(b"\r\n", b"\n").rstrip() == message.rstrip()
    assert stored.state == "done" and stored.ticket_id == result["ticket_id"]


def test_a_message_that_cannot_be_parsed_lands_in_the_failed_store(door, dataflow):
    result = door(b"this is not an email at all, just a line of text\n")

    assert result["outcome"] == "failed"
    assert "not an RFC 5322 message" in result["reason"]
    failed = InboundMail.objects.get(pk=result["inbound_id"])
    assert failed.state == "failed" and bytes(failed.raw).startswith(b"this is not an email")
    assert not Ticket.objects.exists()


def test_a_missing_sender_is_a_clear_failure_and_makes_nothing(door, dataflow):
    result = door(raw("Subject: who am I\nTo: support@dataflow.com\n\nNo From header.\n"))

    assert result["outcome"] == "failed"
    assert result["reason"] == "unreadable mail: the message has no From address"
    assert not Ticket.objects.exists() and not Message.objects.exists()


# --- Parsing ---------------------------------------------------------------------------


def test_adjacent_rfc2047_encoded_words_are_joined(door, redwood):
    subject = "=?UTF-8?B?w4lj?= =?UTF-8?Q?h=C3=A9ance_d=C3=A9pass=C3=A9e?="
    result = door(raw(f"From: =?ISO-8859-1?Q?Andr=E9?= <andre@redwood.example.com>\n"
                      f"To: support@dataflow.com\nSubject: {subject}\n"
                      f"Message-ID: {new_id()}\n\nBonjour\n"))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    assert ticket.subject == "Échéance dépassée"
    assert ticket.requester.name == "André"


@pytest.mark.parametrize("charset, cte, text", [
    ("utf-8", "8bit", "Grüße, 你好 — the export fails"),
    ("windows-1256", "8bit", "مرحبا، التقرير لا يعمل"),
    ("iso-8859-1", "8bit", "Señor, la facturación está mal"),
    ("utf-8", "quoted-printable", "Café crème: l'export échoue"),
    ("utf-8", "base64", "Base64 body: ünïcödé"),
])
def test_bodies_in_each_charset_and_transfer_encoding_read_correctly(door, redwood, charset,
                                                                     cte, text):
    data = text.encode(charset)
    if cte == "quoted-printable":
        import quopri

        body = quopri.encodestring(data)
    elif cte == "base64":
        body = base64.encodebytes(data)
    else:
        body = data
    message = (b"From: ann@redwood.example.com\nTo: support@dataflow.com\nSubject: charset\n"
               b"Message-ID: " + new_id().encode() + b"\nMIME-Version: 1.0\n"
               b"Content-Type: text/plain; charset=" + charset.encode() +
               b"\nContent-Transfer-Encoding: " + cte.encode() + b"\n\n" + body + b"\n")
    result = door(message)

    assert first_message(Ticket.objects.get(pk=result["ticket_id"])).body_text == text


def test_bytes_invalid_in_the_declared_charset_fall_back_to_utf8_never_to_replacement(
        door, redwood):
    body = "Naïve café".encode()  # UTF-8 bytes, labelled us-ascii
    message = (b"From: ann@redwood.example.com\nTo: support@dataflow.com\nSubject: x\n"
               b"Message-ID: " + new_id().encode() + b"\n"
               b"Content-Type: text/plain; charset=us-ascii\n\n" + body + b"\n")
    result = door(message)

    text = first_message(Ticket.objects.get(pk=result["ticket_id"])).body_text
    assert text == "Naïve café" and "\ufffd" not in text


def test_bytes_invalid_in_utf8_too_are_read_as_windows_1252(door, redwood):
    body = "“Smart quotes” – 50€".encode("cp1252")  # labelled UTF-8, not UTF-8
    message = (b"From: ann@redwood.example.com\nTo: support@dataflow.com\nSubject: x\n"
               b"Message-ID: " + new_id().encode() + b"\n"
               b"Content-Type: text/plain; charset=utf-8\n\n" + body + b"\n")
    result = door(message)

    text = first_message(Ticket.objects.get(pk=result["ticket_id"])).body_text
    assert text == "“Smart quotes” – 50€" and "\ufffd" not in text


def test_html_only_mail_becomes_text_and_sanitised_html_without_remote_images(door, redwood):
    html = ("<html><head><style>p{color:red}</style><script>steal()</script></head><body>"
            "<p onclick=\"evil()\">Our <b>invoices</b> fail.</p>"
            "<a href=\"javascript:alert(1)\">click</a>"
            "<img src=\"https://tracker.example.net/pixel.gif?u=ann\" width=1 height=1>"
            "<ul><li>step one</li><li>step two</li></ul></body></html>")
    result = door(mail(body=None, html=html, subject="HTML only"))

    message = first_message(Ticket.objects.get(pk=result["ticket_id"]))
    assert "Our invoices fail." in message.body_text
    assert "- step one" in message.body_text and "steal" not in message.body_text
    for banned in ("<script", "onclick", "javascript:", "tracker.example.net", "steal()"):
        assert banned not in message.body_html
    assert "<b>invoices</b>" in message.body_html


def test_multipart_alternative_is_shown_once(door, redwood):
    result = door(mail(body="Plain words here.", html="<p>Plain words here.</p>"))

    message = first_message(Ticket.objects.get(pk=result["ticket_id"]))
    assert message.body_text == "Plain words here."
    assert message.body_html.count("Plain words here.") == 1


def test_inline_cid_images_are_resolved_and_marked_inline(door, redwood):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    result = door(mail(body="See the screenshot.",
                       html='<p>See:</p><img src="cid:shot.png" alt="screenshot">',
                       inline=[("shot.png", "image/png", png)]))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    (attachment,) = Attachment.objects.filter(message__ticket=ticket)
    assert InlinePart.objects.get(attachment=attachment).content_id == "shot.png"
    assert attachment.file.read() == png
    message = first_message(ticket)
    assert f'src="/api/v1/tickets/{ticket.pk}/attachments/{attachment.pk}"' in message.body_html
    assert "cid:" not in message.body_html


def test_attachments_are_kept_byte_exact_with_their_names_and_types(door, redwood):
    pdf = b"%PDF-1.4\n" + bytes(range(256)) * 100
    csv = "région;montant\nÎle;12,50\n".encode("cp1252")
    result = door(mail(body="Two files.", attachments=[
        ("invoice 2025-03.pdf", "application/pdf", pdf), ("export.csv", "text/csv", csv)]))

    files = {a.filename: a for a in Attachment.objects.filter(
        message__ticket_id=result["ticket_id"])}
    assert set(files) == {"invoice 2025-03.pdf", "export.csv"}
    assert files["invoice 2025-03.pdf"].file.read() == pdf
    assert files["invoice 2025-03.pdf"].content_type == "application/pdf"
    assert files["export.csv"].file.read() == csv and files["export.csv"].size == len(csv)


def test_an_oversized_attachment_is_dropped_with_a_note_and_the_text_kept(door, redwood,
                                                                          settings, caplog):
    settings.MAIL_MAX_ATTACHMENT_BYTES = 1000
    result = door(mail(body="Logs attached.", attachments=[
        ("huge.log", "text/plain", b"x" * 5000), ("small.txt", "text/plain", b"ok")]))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    assert [a.filename for a in Attachment.objects.filter(message__ticket=ticket)] == [
        "small.txt"]
    assert first_message(ticket).body_text == "Logs attached."
    note = ticket.messages.get(kind="note")
    assert "'huge.log' (5000 bytes) is over the 1000-byte limit" in note.body_text
    assert "huge.log" in caplog.text


def test_very_long_lines_and_deep_nesting_parse_without_crash_or_hang(door, redwood):
    long_line = "A" * 2_000_000
    nested = b""
    depth = 200
    for i in range(depth):
        nested += f"--b{i}\nContent-Type: multipart/mixed; boundary=\"b{i + 1}\"\n\n".encode()
    nested += f"--b{depth}\nContent-Type: text/plain\n\ndeep text\n--b{depth}--\n".encode()
    message = (b"From: ann@redwood.example.com\nTo: support@dataflow.com\nSubject: deep\n"
               b"Message-ID: " + new_id().encode() + b"\nMIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=\"top\"\n\n--top\n"
               b"Content-Type: text/plain\n\n" + long_line.encode() + b"\n" +
               b"--top\nContent-Type: multipart/mixed; boundary=\"b0\"\n\n" + nested +
               b"\n--top--\n")
    result = door(message)

    assert result["outcome"] == "created"
    text = first_message(Ticket.objects.get(pk=result["ticket_id"])).body_text
    assert text.startswith("AAAA") and len(text) >= 2_000_000


def test_a_missing_subject_becomes_no_subject(door, redwood):
    result = door(mail(subject=None, body="Forgot the subject."))

    assert Ticket.objects.get(pk=result["ticket_id"]).subject == "(no subject)"


# --- Threading -------------------------------------------------------------------------


def test_a_reply_to_our_mail_threads_by_in_reply_to(door, redwood, smtp_server):
    first = door(mail(subject="Export broken", body="It fails."))
    ours = MailThreadId.objects.create(message_id="<tierdesk.1.2.abc@dataflow.com>",
                                       ticket_id=first["ticket_id"], inbound=False,
                                       at=Ticket.objects.get().created_at)

    result = door(mail(subject="Re: Export broken", body="Still failing.",
                       in_reply_to=ours.message_id))

    assert result["outcome"] == "threaded" and result["ticket_id"] == first["ticket_id"]
    assert result["result"] == f"threaded onto {first['ticket_id']}"


def test_references_to_the_customers_own_earlier_mail_thread_too(door, redwood):
    opening = new_id()
    first = door(mail(subject="Export broken", body="It fails.", message_id=opening))

    # A colleague of the same organisation answers Ann's mail, not ours.
    result = door(mail(sender="Bob <bob@redwood.example.com>", subject="Re: Export broken",
                       body="Same for me.", references=f"<other@x.example> {opening}"))

    assert result["outcome"] == "threaded" and result["ticket_id"] == first["ticket_id"]


def test_the_subject_tag_threads_mail_from_a_participant(door, redwood):
    ticket = TicketFactory(requester=redwood, subject="Login fails")

    result = door(mail(subject=f"Re: [Ticket #{ticket.pk}] Login fails", body="More info."))

    assert result["outcome"] == "threaded" and result["ticket_id"] == ticket.pk


def test_the_subject_tag_threads_mail_from_a_contact_of_the_organisation(door, redwood):
    ticket = TicketFactory(requester=redwood, subject="Login fails")
    ContactFactory(organisation=redwood.organisation, email="cfo@redwood.example.com")

    result = door(mail(sender="cfo@redwood.example.com", subject=f"[Ticket #{ticket.pk}] fyi",
                       body="Any news?"))

    assert result["outcome"] == "threaded" and result["ticket_id"] == ticket.pk


def test_a_subject_tag_from_a_stranger_opens_a_new_ticket_flagged_as_possible_spoofing(
        door, redwood):
    secret = TicketFactory(requester=redwood, subject="Wire transfer limits for Redwood")

    result = door(mail(sender="mallory@evil.example.net",
                       subject=f"Re: [Ticket #{secret.pk}] urgent", body="Send me the file."))

    assert result["outcome"] == "created" and result["ticket_id"] != secret.pk
    assert result["reason"] == f"possible spoofed ticket reference to #{secret.pk}"
    new = Ticket.objects.get(pk=result["ticket_id"])
    assert "possible-spoofed-reference" in new.tags
    assert "possible spoofed ticket reference" in new.messages.get(kind="note").body_text.lower()
    assert not secret.messages.exists()
    # Nothing of the old ticket reaches the stranger.
    for queued in OutboxMessage.objects.filter(ticket_id=new.pk):
        assert "Wire transfer" not in queued.payload["subject"] + queued.payload["body"]


GMAIL = """Thanks, that worked!

On Mon, 3 Mar 2025 at 09:00, DataFlow Support <support@dataflow.com> wrote:
> Please try again.
>
> Regards
"""
OUTLOOK = """Thanks, that worked!

________________________________
From: DataFlow Support <support@dataflow.com>
Sent: Monday, March 3, 2025 9:00 AM
To: Ann Lee
Subject: RE: Export

Please try again.
"""
APPLE = """Thanks, that worked!

Sent from my iPhone

> On 3 Mar 2025, at 09:00, DataFlow Support <support@dataflow.com> wrote:
>
> Please try again.
"""


@pytest.mark.parametrize("client, body", [("gmail", GMAIL), ("outlook", OUTLOOK),
                                          ("apple", APPLE)])
def test_quoted_history_and_signatures_are_stripped_and_kept_behind_show_quoted(
        door, redwood, client, body):
    result = door(mail(body=body, html="<p>" + body.replace("\n", "<br>") + "</p>"))

    message = first_message(Ticket.objects.get(pk=result["ticket_id"]))
    assert message.body_text == "Thanks, that worked!"
    assert "<summary>show quoted</summary>" in message.body_html
    assert "Please try again." in InboundMail.objects.get(pk=result["inbound_id"]).quoted_text


def test_quoted_history_of_a_plain_text_reply_is_kept_behind_show_quoted(door, redwood):
    result = door(mail(body=GMAIL))

    message = first_message(Ticket.objects.get(pk=result["ticket_id"]))
    assert message.body_text == "Thanks, that worked!"
    assert message.body_html.startswith("<p>Thanks, that worked!</p><details")
    assert "&gt; Please try again." in message.body_html


def test_people_on_cc_become_participants(door, redwood, world):
    result = door(mail(cc=f"Cara <cara@redwood.example.com>, {world.agent.user.email}",
                       body="Looping in Cara and our account manager."))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    assert list(Participant.objects.filter(ticket=ticket).values_list(
        "contact__email", flat=True)) == ["cara@redwood.example.com"]
    assert ticket.followers.filter(user=world.agent.user).exists()


# --- Never answer a machine ------------------------------------------------------------


@pytest.mark.parametrize("headers, why", [
    ({"Auto-Submitted": "auto-replied"}, "Auto-Submitted: auto-replied"),
    ({"X-Autoreply": "yes"}, "x-autoreply: yes"),
    ({"Precedence": "bulk"}, "Precedence: bulk"),
    ({"Precedence": "list"}, "Precedence: list"),
    ({"List-Id": "<news.vendor.example>"}, "List-Id: <news.vendor.example>"),
    ({"Return-Path": "<>"}, "null Return-Path"),
])
def test_machine_mail_makes_no_ticket_and_no_outbound_mail(door, redwood, headers, why):
    result = door(mail(subject="Automatic reply: your request", headers=headers))

    assert result["outcome"] == "suppressed" and why in result["reason"]
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


def test_mail_from_mailer_daemon_is_a_bounce_not_a_ticket(door, redwood):
    result = door(mail(sender="MAILER-DAEMON@mx.redwood.example.com",
                       subject="Undelivered Mail Returned to Sender", body="could not deliver"))

    assert result["outcome"] == "suppressed" and result["reason"].startswith("bounce")
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


DSN = """From: Mail Delivery System <postmaster@mx.gone.example.com>
To: support@dataflow.com
Subject: Delivery Status Notification (Failure)
Message-ID: {mid}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="dsn"

--dsn
Content-Type: text/plain

Your message could not be delivered.
--dsn
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.gone.example.com

Final-Recipient: rfc822; former.employee@gone.example.com
Action: failed
Status: 5.1.1
--dsn--
"""


def test_a_delivery_report_marks_the_recipient_undeliverable(door, redwood):
    result = door(raw(DSN.format(mid=new_id())))

    assert result["outcome"] == "suppressed"
    assert "multipart/report (delivery-status)" in result["reason"]
    assert "former.employee@gone.example.com" in result["reason"]
    from tierdesk.mail.models import UndeliverableAddress

    assert UndeliverableAddress.objects.filter(
        email="former.employee@gone.example.com").exists()
    assert not Ticket.objects.exists()


def test_mail_from_our_own_address_is_rejected_as_a_loop(door, redwood):
    result = door(mail(sender="DataFlow Support <support@dataflow.com>", subject="Re: x"))

    assert result["outcome"] == "loop" and result["result"].startswith("rejected as loop")
    assert not Ticket.objects.exists() and not OutboxMessage.objects.exists()


def test_an_out_of_office_reply_on_a_ticket_neither_reopens_it_nor_resets_its_sla(
        door, redwood, world):
    from tierdesk.people.access import viewer_for
    from tierdesk.sla.models import SlaTarget
    from tierdesk.tickets.services import ticket_change_status

    opening = new_id()
    first = door(mail(subject="Export", body="broken", message_id=opening))
    ticket = Ticket.objects.get(pk=first["ticket_id"])
    ticket_change_status(ticket=ticket, viewer=viewer_for(world.manager.user), status="pending")
    clocks = list(SlaTarget.objects.filter(ticket=ticket).values_list(
        "metric", "state", "due_at"))
    sent = OutboxMessage.objects.count()

    result = door(mail(subject="Out of office: Export", body="I am away until Monday.",
                       in_reply_to=opening, headers={"Auto-Submitted": "auto-replied"}))

    ticket.refresh_from_db()
    assert result["outcome"] == "suppressed" and result["ticket_id"] == ticket.pk
    assert ticket.status == "pending"
    assert list(SlaTarget.objects.filter(ticket=ticket).values_list(
        "metric", "state", "due_at")) == clocks
    assert OutboxMessage.objects.count() == sent
    assert "Automatic reply received" in ticket.messages.filter(kind="note").last().body_text


def test_a_duplicate_message_id_is_dropped(door, redwood):
    message = mail(subject="Sent twice", body="My client retried.")
    first = door(message)
    again = door(message)

    assert first["outcome"] == "created"
    assert again["outcome"] == "duplicate"
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


# --- Priority signals ------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{"X-Priority": "1 (Highest)"}, {"Importance": "High"}])
def test_a_mail_marked_urgent_is_tagged_and_feeds_classification(door, redwood, headers):
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR

    source = (PACKS_DIR / "dataflow.yaml").read_text().replace(
        "  rules:\n", "  rules:\n"
        "    - name: sender marked urgent  # test pack: handbook silent\n"
        "      when: {tags: [high-importance]}\n"
        "      set: {priority: P1}\n", 1)
    pack_apply(source=source)

    result = door(mail(subject="Reports slow", body="Please look.", headers=headers))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    assert "high-importance" in ticket.tags
    assert (ticket.priority, ticket.classified_by) == ("P1", "sender marked urgent")


def test_the_packs_keywords_classify_mail_like_any_intake(door, redwood):
    result = door(mail(subject="Platform outage", body="We see Service Unavailable everywhere"))

    ticket = Ticket.objects.get(pk=result["ticket_id"])
    assert (ticket.priority, ticket.category) == ("P0", "outage")


# --- Malformed input -------------------------------------------------------------------


def test_broken_mime_still_keeps_the_text_it_can_read(door, redwood):
    message = (b"From: ann@redwood.example.com\nTo: support@dataflow.com\nSubject: broken\n"
               b"Message-ID: " + new_id().encode() + b"\nMIME-Version: 1.0\n"
               b"Content-Type: multipart/mixed; boundary=\"never-closed\"\n\n"
               b"--never-closed\nContent-Type: text/plain\n\nreadable part\n"
               b"--never-closed\nContent-Type: application/pdf\n"
               b"Content-Transfer-Encoding: base64\n"
               b"Content-Disposition: attachment; filename=x.pdf\n\n%%%not base64!!\n")
    result = door(message)

    assert result["outcome"] == "created"
    assert first_message(Ticket.objects.get(pk=result["ticket_id"])).body_text == \
        "readable part"


def test_an_empty_mail_is_a_logged_rejection_that_creates_nothing(door, redwood, caplog):
    result = door(raw(f"From: ann@redwood.example.com\nTo: support@dataflow.com\n"
                      f"Message-ID: {new_id()}\n\n"))

    assert result["outcome"] == "failed"
    assert "no subject, no text and no attachments" in result["reason"]
    assert not Ticket.objects.exists() and not Message.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert "failed" in caplog.text


def test_binary_junk_is_a_clear_failure(door, dataflow):
    result = door(bytes(range(256)) * 10)

    assert result["outcome"] == "failed" and result["reason"].startswith("unreadable mail")
    assert not Ticket.objects.exists()
