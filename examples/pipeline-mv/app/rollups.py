from datetime import date

from moose_lib import MaterializedView, MaterializedViewOptions, View, simple_aggregated
from pydantic import BaseModel

from app.ingest import events


class DailyKinds(BaseModel):
    day: date
    kind: str
    events: simple_aggregated("sum", int)
    bytes: simple_aggregated("sum", int)


daily = MaterializedView[DailyKinds](MaterializedViewOptions(
    select_statement="""
        SELECT toDate(received_at) AS day, kind, count() AS events, sum(payload_bytes) AS bytes
        FROM Event
        GROUP BY day, kind
    """,
    select_tables=[events.table],
    table_name="DailyKinds",
    materialized_view_name="DailyKinds_MV",
    order_by_fields=["day", "kind"],
))

recent = View("RecentEvents", "SELECT * FROM Event WHERE received_at > now() - INTERVAL 1 DAY", [events.table])
