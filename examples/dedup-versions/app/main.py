"""A deduplicating user table (ReplacingMergeTree keyed by id, newest
updated_at wins, soft deletes through is_deleted) kept in two versions while
readers move from 1.0 to 2.0."""
from datetime import datetime
from typing import Optional

from moose_lib import Key, OlapConfig, OlapTable, ReplacingMergeTreeEngine, UInt8
from pydantic import BaseModel


class UserV1(BaseModel):
    id: Key[str]
    email: str
    updated_at: datetime
    is_deleted: UInt8


class UserV2(UserV1):
    display_name: Optional[str] = None
    plan: str


users_v1 = OlapTable[UserV1]("Users", OlapConfig(order_by_fields=["id"], version="1.0",
                                                 engine=ReplacingMergeTreeEngine(ver="updated_at", is_deleted="is_deleted")))
users_v2 = OlapTable[UserV2]("Users", OlapConfig(order_by_fields=["id"], version="2.0",
                                                 engine=ReplacingMergeTreeEngine(ver="updated_at", is_deleted="is_deleted")))
