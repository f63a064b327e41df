"""The demand's part of the pages: its menu entries (demand per city, snapshots)."""

from core.pages import NavItem

NAV = [
    NavItem(key="demand", zh="被装需求", en="Uniform demand", url_name="assets:demand", order=40),
    NavItem(key="snapshots", zh="需求快照", en="Snapshots", url_name="assets:snapshots", order=42),
]
