from celery.signals import task_postrun, task_prerun

from .context import reset_source, set_source

_tokens: dict[str, object] = {}


@task_prerun.connect
def _mark_task_source(task_id=None, **_):
    _tokens[task_id] = set_source("task")


@task_postrun.connect
def _unmark_task_source(task_id=None, **_):
    token = _tokens.pop(task_id, None)
    if token is not None:
        try:
            reset_source(token)
        except ValueError:  # reset from another context (eager tasks nest): leave it
            pass
