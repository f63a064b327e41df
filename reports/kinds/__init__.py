"""Built-in report kinds; importing this package registers them. Each module: a data function returning
plain data (registry.ReportData) from the requester's scope, and renderers (PDF template, xlsx rows)."""

from . import sign_for, size_table, tender_timeline, vehicle_allocation  # noqa: F401
