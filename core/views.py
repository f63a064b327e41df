"""The pages every user shares: log in and out, the start page ("what is waiting for me"), the dashboard.
Each module's part comes from its `<app>/pages.py` (see core.pages); these views only assemble them."""

from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy

from . import pages, scope
from .models import Notification


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True
    next_page = "core:home"


class LogoutView(auth_views.LogoutView):
    next_page = "core:login"


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=gettext_lazy("当前密码"), widget=forms.PasswordInput, strip=False)
    new_password1 = forms.CharField(label=gettext_lazy("新密码"), widget=forms.PasswordInput, strip=False)
    new_password2 = forms.CharField(
        label=gettext_lazy("再次输入新密码"), widget=forms.PasswordInput, strip=False
    )


@pages.page
def password_change(request):
    """Change one's own password (and the first-login change create_unit_accounts asks for)."""
    from .passwords import SESSION_KEY, password_is_due
    from .passwords import password_change as change

    form = PasswordChangeForm(request.POST or None)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.user.check_password(data["old_password"]):
            form.add_error("old_password", gettext("当前密码不正确"))
        elif data["new_password1"] != data["new_password2"]:
            form.add_error("new_password2", gettext("两次输入的新密码不一致"))
        elif data["new_password1"] == data["old_password"]:
            form.add_error("new_password1", gettext("新密码不能与当前密码相同"))
        else:
            try:
                change(user=request.user, new_password=data["new_password1"])
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("new_password1", message)
            else:
                update_session_auth_hash(request, request.user)
                request.session.pop(SESSION_KEY, None)
                messages.success(request, gettext("密码已修改"))
                return redirect(target or "core:home")
    return render(
        request,
        "core/password_change.html",
        {"form": form, "next": target, "due": password_is_due(request.user)},
    )


@pages.page
def home(request):
    blocks = pages.collect_start_blocks(request)
    unread = list(Notification.objects.filter(user=request.user, read_at__isnull=True)[:10])
    return render(
        request,
        "core/home.html",
        {
            "nav_key": "home",
            "blocks": blocks,
            "notifications": unread,
            "units": _unit_names(request.user),
            "today": timezone.localdate(),
        },
    )


@pages.page
def dashboard(request):
    sections = pages.collect_dashboard_sections(request)
    return render(
        request,
        "core/dashboard.html",
        {
            "nav_key": "dashboard",
            "sections": sections,
            "units": _unit_names(request.user),
            "user_is_province": scope.scope_paths(request.user) is None,
        },
    )


def _unit_names(user) -> list[str]:
    from personnel.models import Membership

    return list(
        Membership.objects.filter(user=user, is_active=True)
        .select_related("unit")
        .values_list("unit__name", flat=True)
        .distinct()
    )


def healthz(request):
    """For the load balancer: database, broker and storage, each "ok" or "fail", 200 when all are ok and
    503 otherwise. No login, and no details (no host names, no error texts): those go to the log."""
    from django.http import JsonResponse

    from .health import run_checks

    checks = run_checks()
    healthy = all(v != "fail" for v in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
    response["Cache-Control"] = "no-store"
    return response
