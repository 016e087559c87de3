from moose_lib import IngestPipeline, IngestPipelineConfig, OlapConfig, OlapTable

from app.models import PageView, Signup

# An ingest API (POST /ingest/PageView), a stream, and the table the stream
# syncs into; records the API refuses go to PageViewDeadLetterQueue.
page_views = IngestPipeline[PageView]("PageView", IngestPipelineConfig(
    table=OlapConfig(order_by_fields=["id", "viewed_at"]),
    stream=True,
    ingest_api=True,
    dead_letter_queue=True,
))

signups = OlapTable[Signup]("Signup")


def describe() -> str:
    """Code moose-dev does not run: parsed, then skipped."""
    return f"{len(page_views.name)} tables"
