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


def _mark_password_change_due(sender, request, user, **kwargs):
    """At login, remember in the session whether the account must first change its password, so the pages
    need no query for it afterwards (core.middleware.PasswordChangeDueMiddleware)."""
    from .passwords import SESSION_KEY, password_is_due

    if request is not None and hasattr(request, "session"):
        if password_is_due(user):
            request.session[SESSION_KEY] = True
        else:
            request.session.pop(SESSION_KEY, None)


def _connect_login_signal():
    from django.contrib.auth.signals import user_logged_in

    user_logged_in.connect(_mark_password_change_due, dispatch_uid="qm_password_change_due")


_connect_login_signal()
