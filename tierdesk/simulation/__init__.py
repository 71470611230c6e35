"""What-if simulation: replay arrivals under a pack and a staffing plan (a discrete-event
simulation with a fixed seed), with Erlang C as the cross-check (``tierdesk simulate``)."""
