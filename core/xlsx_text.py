"""openpyxl knows str, numbers and dates; the workbooks also carry Django's lazy translations (a choice
label, a column title marked with gettext_lazy). `install()` makes a cell take such a text as the str it is
in the active language, the moment the cell is written. Called once from CoreConfig.ready."""

from django.utils.functional import Promise


def install() -> None:
    from openpyxl.cell import cell as cell_module

    bind = cell_module.Cell._bind_value
    if getattr(bind, "_takes_lazy_text", False):
        return

    def _bind_value(self, value):
        if isinstance(value, Promise):
            value = str(value)
        return bind(self, value)

    _bind_value._takes_lazy_text = True
    cell_module.Cell._bind_value = _bind_value
