"""The versioned JSON API: one router per domain app, mounted under /api/v1/."""

from tierdesk.api import errors
from tierdesk.api.auth import API_AUTH
from tierdesk.api.openapi import TierdeskAPI
from tierdesk.api.rendering import JSONRenderer
from tierdesk.customers.api import router as customers_router
from tierdesk.escalation.api import router as escalation_router
from tierdesk.incidents.api import router as incidents_router
from tierdesk.people.api import router as people_router
from tierdesk.sla.api import router as sla_router
from tierdesk.tickets.api import router as tickets_router

api = TierdeskAPI(
    title="Tierdesk API",
    version="1",
    urls_namespace="api-v1",
    auth=API_AUTH,
    docs_url="/docs",
    renderer=JSONRenderer(),
)
errors.install(api)
api.add_router("/tickets", tickets_router)
api.add_router("/tickets", sla_router)
api.add_router("/incidents", incidents_router)
api.add_router("/", customers_router)
api.add_router("/", people_router)
api.add_router("/", escalation_router)
api.add_router("/integrations", "tierdesk.integrations.api.router")
api.add_router("/imports", "tierdesk.imports.api.router")
api.add_router("/", "tierdesk.reports.api.router")
api.add_router("/", "tierdesk.org.api.router")
api.add_router("/", "tierdesk.qa.api.router")
api.add_router("/", "tierdesk.risks.api.router")
api.add_router("/refunds", "tierdesk.refunds.api.router")
api.add_router("/tasks", "tierdesk.tasks.api.router")
api.add_router("/surveys", "tierdesk.surveys.api.router")
api.add_router("/kb", "tierdesk.kb.api.router")
api.add_router("/tickets", "tierdesk.kb.api.tickets_router")
api.add_router("/bot", "tierdesk.kb.api.bot_router")
api.add_router("/channels", "tierdesk.mail.api.router")
api.add_router("/chat", "tierdesk.chat.api.router")
api.add_router("/channels", "tierdesk.intake.api.router")
