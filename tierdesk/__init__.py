"""Tierdesk: a self-hosted support operations platform whose handbook is code."""
