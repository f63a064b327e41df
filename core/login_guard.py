"""Login throttling on the login page and the admin's, on django-axes (settings: AXES_*, QM_TRUSTED_PROXIES).

Three counts, all over the last AXES_COOLOFF_TIME (15 minutes) of failures axes keeps in AccessAttempt:

- the pair account + address: a growing wait from the 3rd failure (1, 2, 4 … s), then, at the
  AXES_FAILURE_LIMIT-th (10), a lock of that pair for the cool-off. Only the pair: the real `province` user at
  their own desk, and the other users of a city behind the same address, keep logging in;
- the account, from addresses that never logged in to it: a growing wait from the 5th failure, at most 60 s
  (a guesser spread over many addresses gains little; a cool-off, never a lock);
- the address, by the number of different accounts that failed from it (password spraying): a growing wait
  from the 5th account, at most 60 s. One user mistyping their own password counts once.

A refused try is not counted (it would prolong the wait) and its password is never checked. Provincial
logistics lifts a lock early with `login_unlock` (admin: 登录锁定), which is recorded.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import timedelta

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_client_username, get_credentials
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from . import scope
from .history import record_change
from .models import ChangeRecord

PAIR_FREE = 3  # failures of a pair before the first wait
ACCOUNT_FREE = 5  # failures of an account (from unknown addresses) before the first wait
ADDRESS_FREE = 5  # different accounts failing from one address before the first wait
MAX_WAIT_SECONDS = 60  # the account's and the address's wait never grow beyond this
KNOWN_ADDRESS_DAYS = 30  # an address that logged in to an account within this is not a stranger to it


def _networks():
    nets = []
    for entry in settings.QM_TRUSTED_PROXIES:
        try:
            nets.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            continue
    return nets


def _ip(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address. X-Forwarded-For counts only when the connection comes from a configured proxy
    (QM_TRUSTED_PROXIES); then the right-most address in it that is not itself a trusted proxy is the client
    (what a trusted proxy appended; anything further left the client may have written itself)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    nets = _networks()

    def trusted(addr) -> bool:
        return addr is not None and any(addr in net for net in nets)

    if not nets or not trusted(_ip(remote)):
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        addr = _ip(hop)
        if addr is None:
            break  # garbage from the client side: stop believing the header here
        if not trusted(addr):
            return str(addr)
    return remote


def _wait(failures: int, free: int, cap: int | None) -> int:
    if failures < free:
        return 0
    seconds = 2 ** min(failures - free, 16)
    return min(seconds, cap) if cap else seconds


def retry_after(*, username: str | None, ip_address: str, now=None) -> int:
    """Seconds this account + address must still wait before its next try (0: may try now)."""
    now = now or timezone.now()
    since = now - settings.AXES_COOLOFF_TIME
    rows = list(
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .filter(Q(username=username) | Q(ip_address=ip_address))
        .values("username", "ip_address", "failures_since_start", "attempt_time")
    )
    if not rows:
        return 0
    known = set()
    if username:
        known = set(
            AccessLog.objects.filter(
                username=username, attempt_time__gte=now - timedelta(days=KNOWN_ADDRESS_DAYS)
            ).values_list("ip_address", flat=True)
        )
    pair = [r for r in rows if r["username"] == username and r["ip_address"] == ip_address]
    account = [r for r in rows if r["username"] == username and r["ip_address"] not in known]
    address = [r for r in rows if r["ip_address"] == ip_address]
    waits = []
    for group, failures, free, cap in (
        (pair, sum(r["failures_since_start"] for r in pair), PAIR_FREE, None),
        (
            account,
            sum(r["failures_since_start"] for r in account) if ip_address not in known else 0,
            ACCOUNT_FREE,
            MAX_WAIT_SECONDS,
        ),
        (address, len({r["username"] for r in address}), ADDRESS_FREE, MAX_WAIT_SECONDS),
    ):
        seconds = _wait(failures, free, cap)
        if seconds and group:
            last = max(r["attempt_time"] for r in group)
            waits.append((last + timedelta(seconds=seconds) - now).total_seconds())
    return max(0, math.ceil(max(waits, default=0)))


class LoginGuardBackend(AxesStandaloneBackend):
    """axes' check (the pair's lock), then the growing wait. Without a request (a script calling
    authenticate(), the test client's login) there is nobody to throttle and it steps aside."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        ip_address = getattr(request, "axes_ip_address", None) or client_ip(request)
        wait = retry_after(username=username, ip_address=ip_address)
        if wait:
            request.axes_locked_out = True  # with RESET_COOL_OFF_…=False axes then does not count this try
            request.qm_retry_after = wait
            request.axes_credentials = get_credentials(username=username)
            raise AxesBackendPermissionDenied("too soon after failed logins")
        return None


def lockout_response(request, original_response=None, credentials=None):
    """The login page again, saying why and for how long, with 429 and Retry-After."""
    wait = getattr(request, "qm_retry_after", None)
    if wait:
        message = gettext("登录失败次数较多，请在 {seconds} 秒后再试。").format(seconds=wait)
    else:
        wait = int(settings.AXES_COOLOFF_TIME.total_seconds())
        message = gettext(
            "该账号从此地址登录失败次数过多，已暂停登录 {minutes} 分钟；请稍后再试，或请省厅后勤解除锁定。"
        ).format(minutes=max(1, wait // 60))
    username = get_client_username(request, credentials) or ""
    response = render(
        request,
        "core/login.html",
        {"lockout_message": message, "username": username, "next": request.POST.get("next", "")},
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response


def locks(*, now=None):
    """The pairs locked now (failures at the limit within the cool-off)."""
    now = now or timezone.now()
    return AccessAttempt.objects.filter(
        attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
    )


def login_unlock(*, actor, username: str, ip_address: str | None = None) -> int:
    """Lift the lock and the waits of `username` (from one address, or from all): provincial logistics
    only. Forgets the failures counted (the only way the lock is kept); recorded on the account when it
    exists, otherwise on the change history with the name as it was typed. Returns the rows forgotten."""
    scope.require_role(actor, scope.PROVINCE)
    with transaction.atomic():
        attempts = AccessAttempt.objects.select_for_update().filter(username=username)
        if ip_address:
            attempts = attempts.filter(ip_address=ip_address)
        summary = attempts.aggregate(last=Max("attempt_time"))
        rows = list(attempts.values("ip_address", "failures_since_start"))
        if not rows:
            return 0
        attempts.delete()
        account = get_user_model().objects.filter(username=username).first()
        if account is not None:
            record_change(
                actor=actor,
                obj=account,
                action=ChangeRecord.Action.UPDATE,
                before={"login_failures": sum(r["failures_since_start"] for r in rows)},
                after={"login_failures": 0},
                note=gettext("解除登录锁定：{addresses}，最后一次失败 {last}").format(
                    addresses=", ".join(sorted({r["ip_address"] or "-" for r in rows})),
                    last=timezone.localtime(summary["last"]).strftime("%Y-%m-%d %H:%M"),
                ),
            )
    return len(rows)
