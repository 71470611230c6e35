"""A demo data set drawn from the DataFlow handbook's own examples (customers 1001...),
with the QA reviews, risk register entries and organisation chart a manager's pages show."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from tierdesk.customers import services as customers
from tierdesk.customers.models import Organisation
from tierdesk.people import services as people
from tierdesk.people.access import Viewer
from tierdesk.people.models import Group, Role, Tier
from tierdesk.tickets import services as tickets

DEMO_PASSWORD = "tierdesk-demo"


@dataclass(frozen=True)
class DemoCustomer:
    external_id: str
    name: str
    plan: str
    country: str
    timezone: str
    language: str = "en"
    vip: bool = False


# Plans and countries the handbook states (1018 Enterprise, 1002 Starter, 1009 UK, 1011
# answered in Spanish, 1033 Enterprise); the rest are chosen to cover every plan.
CUSTOMERS = [
    DemoCustomer("1001", "Acme Analytics", "Professional", "US", "America/New_York"),
    DemoCustomer("1002", "Brightside Retail", "Starter", "US", "America/Chicago"),
    DemoCustomer("1003", "Cobalt Logistics", "Enterprise", "US", "America/Los_Angeles"),
    DemoCustomer("1004", "Delta Health", "Enterprise", "DE", "Europe/Berlin"),
    DemoCustomer("1006", "Fathom Fintech", "Professional", "US", "America/New_York"),
    DemoCustomer("1008", "Harbor Media", "Starter", "CA", "America/Toronto"),
    DemoCustomer("1009", "Islington Insights", "Professional", "GB", "Europe/London"),
    DemoCustomer("1011", "Jaguar Datos", "Enterprise", "ES", "Europe/Madrid", "es"),
    DemoCustomer("1017", "Quokka Mobile", "Professional", "AU", "Australia/Sydney"),
    DemoCustomer("1018", "Redwood Bank", "Enterprise", "US", "America/New_York", vip=True),
    DemoCustomer("1023", "Summit Maps", "Professional", "FR", "Europe/Paris", "fr"),
    DemoCustomer("1025", "Tundra Finance", "Starter", "US", "America/Denver"),
    DemoCustomer("1033", "Umbra Energy", "Enterprise", "AE", "Asia/Dubai", vip=True),
    DemoCustomer("1036", "Vertex Cloud", "Enterprise", "US", "America/New_York"),
]

# (customer, error code, subject, group); the DataFlow pack classifies each by its code.
TICKETS = [
    ("1001", "DS-1001", "DS-1001: Invalid Credentials on our Postgres source", "Support"),
    ("1003", "DB-2002", "Error 503: Service Unavailable on every dashboard", "DevOps"),
    ("1006", "API-4004", "API-4004: Too Many Requests breaks our integration", "Support"),
    ("1011", "COL-11001", "Los comentarios no cargan", "Support"),
    ("1017", "MOB-6006", "MOB-6006: App Not Loading on Android", "Support"),
    ("1018", "SSO-9001", "SSO-9001: Login Failure for all staff", "Support"),
    ("1004", "DB-2003", "DB-2003: Slow Loading on the sales dashboard", "Engineering"),
    ("1008", "DR-3003", "DR-3003: Refresh Timeout on nightly report", "Support"),
    ("1023", "MOB-6007", "MOB-6007: map widget shows a blank tile", "Product"),
    ("1025", "CALC-7007", "CALC-7007: Invalid Formula in revenue field", "Support"),
    ("1036", "DB-2002", "Platform outage: DB-2002 on all workspaces", "DevOps"),
]

# (username, name, role, tier, queues). Every escalation path of the DataFlow pack lands in
# a queue with someone who can open it: ENG in Engineering (eve), the devops unit in DevOps
# (eve), the product unit in Product Team (priya).
AGENTS = [
    ("admin", "Ada Admin", Role.ADMIN, None, []),
    ("dan", "Dana Director", Role.DIRECTOR, None, []),
    ("maria", "Maria Manager", Role.SUPPORT_MANAGER, None, ["Support"]),
    ("alice", "Alice Agent", Role.AGENT, "L1", ["Support"]),
    ("sam", "Sam Specialist", Role.SPECIALIST, "L1", ["Support"]),
    ("eve", "Eve Engineer", Role.ENGINEER, "ENG", ["Engineering", "DevOps"]),
    ("fiona", "Fiona Finance", Role.FINANCE_DIRECTOR, None, []),
    ("quinn", "Quinn QA", Role.QA_LEAD, None, ["Support"]),
    ("kim", "Kim Knowledge", Role.KB_SPECIALIST, None, ["Support"]),
    ("priya", "Priya Product", Role.SPECIALIST, None, ["Product"]),
]

# Demo queue name -> (the pack's code for it, the tier it works). The units' queues are
# made by the pack apply; the tiers' queues here.
QUEUES = {"Support": ("L1", "L1"), "Engineering": ("ENG", "ENG"), "DevOps": ("devops", None),
          "Product": ("product", None)}


def demo_loaded() -> bool:
    return Organisation.objects.filter(external_id="1001").exists()


def load_demo() -> list[str]:
    """Load the demo set once; return lines describing the logins it made."""
    if demo_loaded():
        return ["demo data already loaded"]
    lines = _apply_demo_pack()
    lines += _load_people()
    lines += _load_customers_and_tickets()
    lines += _load_org_qa_and_risks()
    return lines


def _apply_demo_pack() -> list[str]:
    """Enforce the DataFlow handbook, unless a pack is already active."""
    from tierdesk.packs.selectors import active_version
    from tierdesk.packs.services import pack_apply
    from tierdesk.policy import PACKS_DIR

    if active_version() is not None:
        return []
    source = demo_pack_source((PACKS_DIR / "dataflow.yaml").read_text(encoding="utf-8"))
    version = pack_apply(source=source, note="demo: DataFlow with the demo's chart, QA "
                                            "scorecard and risk register").version
    return [f"pack     {version.name} v{version.version} (active)"]


def _load_people() -> list[str]:
    with transaction.atomic():
        # The active pack's tiers (DataFlow: L1 and ENG), made by the pack apply.
        tiers = {t.code: t for t in Tier.objects.all()}
        groups = {}
        for name, (code, tier) in QUEUES.items():
            group = Group.objects.filter(code=code).first()
            if group is None:
                group, _ = Group.objects.get_or_create(
                    name=name, defaults={"code": code, "tier": tiers.get(tier)})
            groups[name] = group
    lines = []
    for username, name, role, tier, group_names in AGENTS:
        agent = people.agent_create(
            username=username, email=f"{username}@tierdesk.localhost", name=name, role=role,
            password=DEMO_PASSWORD, tier=tiers.get(tier) if tier else None,
            groups=[groups[g] for g in group_names],
        )
        if role == Role.ADMIN:
            get_user_model().objects.filter(pk=agent.user_id).update(is_staff=True,
                                                                     is_superuser=True)
        lines.append(f"agent    {username:<14} {role}")
    return lines


def _load_customers_and_tickets() -> list[str]:
    User = get_user_model()
    orgs = {}
    lines = []
    for c in CUSTOMERS:
        orgs[c.external_id] = customers.organisation_create(
            viewer=None, name=c.name, external_id=c.external_id, plan=c.plan, country=c.country,
            timezone=c.timezone, language=c.language, vip=c.vip,
        )
    contacts = {}
    for c in CUSTOMERS:
        username = f"customer{c.external_id}"
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD,
                                        email=f"it@{c.external_id}.example.com")
        contacts[c.external_id] = customers.contact_create(
            viewer=None, name=f"IT lead of {c.name}", email=user.email,
            organisation=orgs[c.external_id], language=c.language, user=user,
        )
        lines.append(f"customer {username:<14} organisation {c.external_id} ({c.plan})")
    manager = User.objects.get(username="maria")
    viewer = Viewer(user=manager, agent=manager.agent, contact=None)
    groups = {name: Group.objects.get(code=code) for name, (code, _) in QUEUES.items()}
    for external_id, code, subject, group in TICKETS:
        tickets.ticket_create(
            viewer=viewer, subject=subject, requester=contacts[external_id],
            body=f"Customer {external_id} reports {code}. {subject}.", channel="email",
            error_code=code, group=groups[group],
            language=orgs[external_id].language,
        )
    return lines


# The DataFlow handbook draws no organisation chart and keeps no QA scorecard or risk
# register, so the shipped pack has none; the demo adds its own (every line "handbook
# silent" unless quoted) so the QA, risk and chart pages have something to show.
DEMO_ROLES = """\
  - {code: qa_lead, name: QA reviewer}  # the demo's: handbook silent on QA reviewers
"""
DEMO_SECTIONS = """

# ---- Added by the demo (tierdesk/demo.py), not by the DataFlow handbook ----
organisation:
  department: DataFlow Support
  positions:
    # "Notify CTO and Support Director."
    - {code: support_director, name: Support Director, role: director}
    - {code: cto, name: CTO, role: cto, covered_by: support_director}
    # "Support Manager (Level 2)"; cover: handbook silent, the Support Director
    - {code: support_manager, name: Support Manager, role: support_manager,
       reports_to: support_director, covered_by: support_director}
    - {code: qa_reviewer, name: QA reviewer, role: qa_lead, reports_to: support_manager,
       covered_by: support_manager}
    - {code: kb_editor, name: Knowledge base editor, reports_to: support_manager}
    # "Agent (Level 1)"
    - {code: agents, name: Support agents, kind: team, reports_to: support_manager}
    # "Escalate to Engineering within 2 hours if unresolved"
    - {code: engineering, name: Engineering, kind: team, reports_to: cto}
    # "Finance Director (Level 3)": outside support, the refunds' last level
    - {code: finance_director, name: Finance Director, kind: contact, role: finance_director}
    # "Escalate to Product Team for bugs or requests within 24 hours (Jira ticket)."
    - {code: product_contact, name: Product Team contact, kind: contact, unit: product}
quality:
  scorecards:
    ticket:
      label: Ticket handling
      scale: 5
      pass_mark: 80
      criteria:
        - {code: accuracy, label: Accuracy, weight: 2}  # handbook silent
        # "Maintain a professional, empathetic tone in all interactions"
        - {code: empathy, label: Empathy, weight: 1}
        # "Document issue details (error code, customer ID, steps to reproduce) in Zendesk."
        - {code: process, label: Process followed, weight: 2}
  sample: {per_agent: 2, every: 7d, reviewer_role: qa_lead, calibration: 1}
risks:
  categories: [outage, security, data, financial, churn]
  likelihood: [low, medium, high]
  impact: [low, medium, high]
  owner: {role: support_manager}
  review_within: 7d
  review_day: mon
"""


def demo_pack_source(dataflow: str) -> str:
    """Return the DataFlow pack with the demo's QA reviewer role, chart, scorecard and
    risk register added."""
    head, roles, rest = dataflow.partition("\nroles:\n")
    if not roles:
        raise ValueError("dataflow.yaml has no top-level roles: list for the demo to extend")
    return head + roles + DEMO_ROLES + rest.rstrip("\n") + "\n" + DEMO_SECTIONS


# (username, chart position): who holds which box of the demo's chart.
PLACEMENTS = [
    ("dan", "support_director"), ("maria", "support_manager"), ("quinn", "qa_reviewer"),
    ("kim", "kb_editor"), ("alice", "agents"), ("sam", "agents"), ("eve", "engineering"),
    ("fiona", "finance_director"), ("priya", "product_contact"),
]

# (customer, assignee, reviewer, scores): solved tickets the QA reviewer has scored.
QA_REVIEWS = [
    ("1008", "alice", "quinn", {"accuracy": 5, "empathy": 4, "process": 5},
     "Clear steps for the refresh timeout; the article link saved a round trip."),
    ("1025", "alice", "quinn", {"accuracy": 3, "empathy": 4, "process": 2},
     "The formula fix was right, but the error code and steps were not recorded."),
    ("1001", "sam", "maria", {"accuracy": 4, "empathy": 5, "process": 4},
     "Good empathy with a frustrated customer."),
]

# (customer, category, likelihood, impact, description): entries in the risk register.
RISKS = [
    ("1036", "outage", "high", "high",
     "DB-2002 outages on all workspaces: a second one this quarter would breach the "
     "Enterprise SLA."),
    ("1018", "churn", "medium", "high",
     "Redwood Bank's staff cannot log in (SSO-9001); the VIP account mentioned leaving."),
]


def _load_org_qa_and_risks() -> list[str]:
    """Place the demo's people in the chart, solve and score a few tickets, flag risks."""
    from tierdesk.org.services import placement_add
    from tierdesk.packs.selectors import active_pack
    from tierdesk.people.access import viewer_for
    from tierdesk.people.models import Agent
    from tierdesk.qa.services import review_submit
    from tierdesk.risks.services import risk_flag
    from tierdesk.tickets.models import Ticket

    pack = active_pack()
    if getattr(pack, "organisation", None) is None:
        return []  # another pack was active before the demo: it has no chart to fill
    agents = {a.user.username: a for a in Agent.objects.select_related("user")}
    director = viewer_for(agents["dan"].user)
    codes = {p.code for p in pack.organisation.positions}
    for username, position in PLACEMENTS:
        if position in codes:
            placement_add(viewer=director, pack=pack, agent=agents[username],
                          position=position)
    manager = viewer_for(agents["maria"].user)
    lines = [f"chart    {len(PLACEMENTS)} people placed in {pack.organisation.department}"]
    if getattr(pack, "quality", None) is not None:
        for external_id, assignee, reviewer, scores, comment in QA_REVIEWS:
            ticket = Ticket.objects.filter(organisation__external_id=external_id).first()
            tickets.ticket_assign(ticket=ticket, viewer=manager, assignee=agents[assignee],
                                  group=ticket.group)
            tickets.ticket_update(ticket=ticket, viewer=manager, changes={"status": "solved"})
            review_submit(viewer=viewer_for(agents[reviewer].user), pack=pack, ticket=ticket,
                          scores=scores, comment=comment)
        lines.append(f"qa       {len(QA_REVIEWS)} scorecard reviews")
    if getattr(pack, "risks", None) is not None:
        for external_id, category, likelihood, impact, description in RISKS:
            ticket = Ticket.objects.filter(organisation__external_id=external_id).first()
            risk_flag(viewer=manager, pack=pack, category=category, likelihood=likelihood,
                      impact=impact, description=description, ticket=ticket)
        lines.append(f"risks    {len(RISKS)} entries in the risk register")
    return lines
