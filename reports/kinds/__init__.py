"""Built-in report kinds; importing this package registers them. Each module: a data function returning
plain data (registry.ReportData) from the requester's scope, and renderers (PDF template, xlsx rows)."""

from . import (
    distribution_progress,  # noqa: F401
    kit_card,  # noqa: F401
    receipt_form,  # noqa: F401
    sign_for,  # noqa: F401
    station_condition,  # noqa: F401
)
