"""Adapters from each kind of Lambda event to a use case, and from its result to the answer."""
