"""Events arrive through an ingest API, are enriched by a stream transform,
land in a table, and roll up into a daily materialized view."""
from app.ingest import *  # noqa: F401,F403
from app.rollups import *  # noqa: F401,F403
