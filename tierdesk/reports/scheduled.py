"""Scheduled reports (filled in below)."""


def register() -> None:
    return None
