"""A local replay of real Vietnamese news published as press sites with RSS feeds, for the demo and tests."""

from pressdesk.replay.server import ReplayServer
from pressdesk.replay.site import ReplaySite, load_articles

__all__ = ["ReplayServer", "ReplaySite", "load_articles"]
