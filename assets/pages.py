"""The demand's part of the pages: its menu entry (the snapshots are linked from the demand page)."""

from core.pages import NavItem

NAV = [
    NavItem(key="demand", zh="被装需求", en="Uniform demand", url_name="assets:demand", order=40),
]
