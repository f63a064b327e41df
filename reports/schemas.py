import datetime
from typing import Any

from pydantic import ConfigDict

from core.schema import Schema


class JobIn(Schema):
    model_config = ConfigDict(extra="forbid")
    kind: str
    format: str = "pdf"
    params: dict[str, Any] = {}


class JobOut(Schema):
    id: int
    kind: str
    format: str
    parameters: dict[str, Any]
    status: str
    status_label: str
    progress: int
    progress_message: str
    error: str
    attempts: int
    requested_by: str
    scope: list
    sources: list
    summary: dict
    file_name: str
    file_size: int | None
    download_url: str | None
    rerun_of: int | None
    queued_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    expires_at: datetime.datetime | None
    expired: bool


class KindOut(Schema):
    kind: str
    title: str
    formats: list[str]
    description: str
    parameters: dict[str, Any]
