"""Data models for this project. Edit me while `moose-dev dev` runs."""
from datetime import datetime
from typing import Optional

from moose_lib import Key
from pydantic import BaseModel


class PageView(BaseModel):
    id: Key[str]
    url: str
    referrer: Optional[str]
    viewed_at: datetime
    duration_ms: int


class Signup(BaseModel):
    id: Key[str]
    email: str
    plan: str
    tags: list[str]
    signed_up_at: datetime
