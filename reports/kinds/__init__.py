"""Built-in report kinds; importing this package registers them. Each module: a data function returning
plain data (registry.ReportData) from the requester's scope, and renderers (PDF template, xlsx rows)."""

from . import (  # noqa: F401
    badge_list,
    distribution_progress,
    kit_card,
    packing_list,
    procurement_reconciliation,
    receipt_form,
    sign_for,
    size_table,
    station_condition,
    tender_timeline,
    vehicle_allocation,
)
