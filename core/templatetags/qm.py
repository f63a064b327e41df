"""Template helpers for the pages: both languages side by side, dates and numbers the Chinese way."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from core import pages
from core.i18n import one

register = template.Library()

EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@register.simple_tag
def t(zh: str, en: str) -> str:
    """{% t "花名册" "Roll" %}: the text in the active language; Chinese by default."""
    return pages.tr(zh, en)


@register.filter
def bi(label) -> str:
    """A project label (市州 + city staff) → 市州 in Chinese, "city staff" in English."""
    return one(label)


@register.filter
def cn_date(value) -> str:
    """2026年11月27日 (English: 27 Nov 2026); '—' when empty."""
    if not value:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    if pages.is_en():
        return f"{value.day} {EN_MONTHS[value.month - 1]} {value.year}"
    return f"{value.year}年{value.month}月{value.day}日"


@register.filter
def cn_datetime(value) -> str:
    """2026年11月27日 19:05 in Shanghai time."""
    if not value:
        return "—"
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{cn_date(local)} {local:%H:%M}"


@register.filter
def num(value) -> str:
    """12,484 (thousands separators; decimals kept as given); '—' when empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, Decimal):
        return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,}"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


@register.filter
def pct(value, digits: int = 1) -> str:
    """0.7884 → 78.8%; '—' when unknown."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.simple_tag(takes_context=True)
def qm_nav(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return pages.nav_for(request.user)


@register.simple_tag(takes_context=True)
def qm_role(context) -> str:
    request = context.get("request")
    return pages.role_label(request.user) if request is not None else ""
