from . import equipment_admin  # noqa: E402,F401
