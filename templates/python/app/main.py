from moose_lib import OlapConfig, OlapTable, Stream

from app.models import PageView, Signup

page_views = OlapTable[PageView]("PageView", OlapConfig(order_by_fields=["id", "viewed_at"]))
page_view_stream = Stream[PageView]("PageView")

signups = OlapTable[Signup]("Signup")


def describe() -> str:
    """Code moose-dev does not run: parsed, then skipped."""
    return f"{len(page_views.name)} tables"
