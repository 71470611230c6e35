"""Refund, credit and cancellation requests, and the append-only ledger of money given
back. Amounts are integer minor units (cents) in the pack's currency."""

from django.conf import settings
from django.db import models

from tierdesk.customers.models import Organisation
from tierdesk.tickets.models import Ticket


class Kind(models.TextChoices):
    REFUND = "refund"
    CREDIT = "credit"
    CANCELLATION = "cancellation"


class RequestStatus(models.TextChoices):
    PENDING = "pending"  # routed to the level that may decide it
    APPROVED = "approved"
    REFUSED = "refused"


class RefundRequest(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="refund_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="refund_requests")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount_minor = models.BigIntegerField(
        help_text="Minor units (cents); 0 for a bare cancellation")
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    plan = models.CharField(max_length=64)
    days_since_charge = models.PositiveIntegerField(null=True, blank=True)
    contract_dispute = models.BooleanField(default=False)
    payment_reference = models.CharField(
        max_length=200, blank=True,
        help_text="The charge to refund at the payment provider (Stripe payment intent or "
                  "charge id; a customer id for a credit)")
    status = models.CharField(max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.PENDING, db_index=True)
    decides_role = models.CharField(max_length=32, help_text="The ladder level that decides it")
    decides_rule = models.CharField(max_length=300, help_text="The pack line that lets it")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    notice_ends_at = models.DateTimeField(
        null=True, blank=True, help_text="A cancellation takes effect after its notice")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "decides_role", "-id"],
                                name="refund_request_queue")]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gte=0),
                                              name="refund_request_amount_not_negative")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} on ticket #{self.ticket_id}"


class AppendOnly(Exception):
    """The ledger is never changed: a correction is a new entry."""


class LedgerEntry(models.Model):
    """Money given back, one row per approval: never updated, never deleted."""

    key = models.CharField(max_length=200, unique=True,
                           help_text="What it is for (refund request 7, survey 12's credit)")
    request = models.ForeignKey(RefundRequest, on_delete=models.PROTECT, null=True,
                                blank=True, related_name="ledger")
    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="ledger")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="ledger")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    help_text="Empty: the platform, under a pack rule")
    approver_role = models.CharField(max_length=32, blank=True)
    pack_rule = models.CharField(max_length=300, help_text="The pack line it was approved under")
    pack_version = models.ForeignKey("packs.PolicyPackVersion", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0),
                                              name="ledger_amount_positive")]
        verbose_name_plural = "ledger entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} {self.currency} (#{self.pk})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AppendOnly("ledger entries are never changed; add a correcting entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("ledger entries are never deleted")


class Payment(models.Model):
    """What the payment backend did with a ledger entry (the ledger itself stays as
    written): recorded for finance to carry out, or paid out at Stripe."""

    class State(models.TextChoices):
        FOR_FINANCE = "for_finance"
        PAID = "paid"

    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="payment")
    backend = models.CharField(max_length=32)
    state = models.CharField(max_length=16, choices=State.choices)
    reference = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
