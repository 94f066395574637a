"""REST: parse, authenticate, call an action, shape the answer."""
