"""Integrations with other teams' tools, each off until its environment variables are set.

Messages go out through the outbox (retried with backoff, dead-lettered after
``MAX_ATTEMPTS``, every try logged as a ``DeliveryAttempt``); rules that would use an
unconfigured integration record an ``action_skipped`` event instead.

Slack (rule action ``post_slack``; outbox kind ``slack``)
    ``TIERDESK_SLACK_BOT_TOKEN``  bot token (``xoxb-…``) with ``chat:write``; on when set.
    ``TIERDESK_SLACK_API_URL``    Web API base URL, default ``https://slack.com/api/``.

Jira (rule action ``open_jira``; outbox kind ``jira``; ``JiraLink`` per issue)
    ``TIERDESK_JIRA_URL``         site URL, e.g. ``https://example.atlassian.net``; on when set.
    ``TIERDESK_JIRA_USER``        account e-mail for basic auth.
    ``TIERDESK_JIRA_TOKEN``       API token of that account.
    ``TIERDESK_JIRA_WEBHOOK_SECRET`` shared secret of the Jira webhook that calls
                                  ``POST /api/v1/integrations/jira/webhook`` (signed with
                                  ``X-Hub-Signature: sha256=…``); the endpoint answers 404
                                  while it is unset.

Generic webhooks (rule action ``webhook``; outbox kind ``webhook``)
    ``TIERDESK_WEBHOOK_SECRET``   HMAC key; on when set. Each POST carries
                                  ``X-Tierdesk-Signature``, ``X-Tierdesk-Timestamp`` and
                                  ``X-Tierdesk-Delivery``; receivers check them with
                                  ``tierdesk.integrations.signing.verify_webhook``.
"""
