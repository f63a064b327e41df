"""The pages every user shares: log in and out, the start page ("what is waiting for me"), the dashboard.
Each module's part comes from its `<app>/pages.py` (see core.pages); these views only assemble them."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils import timezone

from . import pages, scope
from .models import Notification


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True
    next_page = "core:home"


class LogoutView(auth_views.LogoutView):
    next_page = "core:login"


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
