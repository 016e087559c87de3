"""One model, three lifecycles: moose-dev owns `scratch` outright, may add to
but never drop from `orders`, and never touches `legacy_orders`."""
from datetime import datetime

from moose_lib import IngestPipeline, IngestPipelineConfig, Key, LifeCycle, OlapConfig, OlapTable, Stream, StreamConfig
from pydantic import BaseModel


class Order(BaseModel):
    order_id: Key[str]
    customer: str
    total: float
    placed_at: datetime


scratch = OlapTable[Order]("scratch", OlapConfig(life_cycle=LifeCycle.FULLY_MANAGED))
orders = IngestPipeline[Order]("orders", IngestPipelineConfig(
    table=True, stream=True, ingest_api=True, life_cycle=LifeCycle.DELETION_PROTECTED,
))
legacy_orders = OlapTable[Order]("legacy_orders", OlapConfig(life_cycle=LifeCycle.EXTERNALLY_MANAGED))
legacy_stream = Stream[Order]("legacy_orders", StreamConfig(life_cycle=LifeCycle.EXTERNALLY_MANAGED, destination=legacy_orders))
