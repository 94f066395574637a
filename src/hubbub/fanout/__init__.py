"""Getting events to every node: a broker (fan-out) and a presence store, memory or Redis."""
