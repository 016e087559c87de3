from datetime import datetime
from typing import Annotated, Optional

from moose_lib import IngestPipeline, IngestPipelineConfig, Key, StreamConfig
from pydantic import BaseModel, Field


class RawEvent(BaseModel):
    event_id: Key[str]
    user_id: str
    kind: str
    received_at: datetime
    payload: Optional[str] = None


class Event(BaseModel):
    event_id: Key[str]
    user_id: str
    kind: Annotated[str, "LowCardinality"]
    received_at: datetime
    payload_bytes: int = Field(description="size of the raw payload")


raw_events = IngestPipeline[RawEvent]("RawEvent", IngestPipelineConfig(table=False, stream=True, ingest_api=True))
events = IngestPipeline[Event]("Event", IngestPipelineConfig(table=True, stream=StreamConfig(parallelism=2), ingest_api=False))


def enrich(raw: RawEvent) -> Event:
    return Event(event_id=raw.event_id, user_id=raw.user_id, kind=raw.kind, received_at=raw.received_at,
                 payload_bytes=len(raw.payload or ""))


raw_events.get_stream().add_transform(destination=events.get_stream(), transformation=enrich)
