"""Where a change comes from (request, command line, Celery task), so history says it also off-request."""

import contextvars
from contextlib import contextmanager

_source = contextvars.ContextVar("qm_change_source", default="system")


def current_source() -> str:
    return _source.get()


@contextmanager
def change_source(source: str):
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def set_source(source: str):
    return _source.set(source)


def reset_source(token) -> None:
    _source.reset(token)
