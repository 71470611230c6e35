"""Three tables a ticket create writes, and the token table it reads."""

from django.db import models


class Token(models.Model):
    user_id = models.IntegerField()
    token_hash = models.CharField(max_length=64, unique=True)


class Ticket(models.Model):
    subject = models.CharField(max_length=300)
    body = models.TextField()
    requester_id = models.IntegerField()
    status = models.CharField(max_length=16)
    created_at = models.DateTimeField()


class Event(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    type = models.CharField(max_length=32)
    actor_id = models.IntegerField(null=True)
    data = models.JSONField()
    created_at = models.DateTimeField()


class Outbox(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE)
    kind = models.CharField(max_length=16)
    payload = models.JSONField()
    created_at = models.DateTimeField()
