"""Handbook tests: scenario files stating a pack's promises, run against a throwaway
instance of Tierdesk's own services on a simulated clock (``tierdesk policy test``)."""
