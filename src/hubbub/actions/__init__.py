"""The one place that writes: REST routes and socket handlers both call these.

Each action checks what it is allowed to do, writes through the store, and publishes
to the broker only after the write committed.
"""
