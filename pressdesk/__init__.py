"""pressdesk."""
