"""Every workbook the project writes goes through openpyxl's Cell._bind_value; `install()` (called once from
CoreConfig.ready) wraps it so that, whatever the exporter:

- a Django lazy translation (a choice label, a column title marked with gettext_lazy) is written as the str
  it is in the active language;
- a text that a spreadsheet would take for a formula (starting with = + - @, a tab or a carriage return:
  an officer's remark `=cmd|' /C calc'!A0`) is written as text, never as a formula (no <f> element), and
  marked with Excel's quote prefix so that editing the cell keeps it text. The text itself is kept as typed,
  so a re-import reads back exactly what was stored (issue 16, part 2).

A formula the project means to write is wrapped in `Formula("=SUM(A1:A3)")`. CSV files have no cell types:
`csv_safe()` puts an apostrophe before such a text, as spreadsheets expect."""

from django.utils.functional import Promise

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Formula(str):
    """A formula written on purpose (nothing in the project does yet)."""


def is_formula_like(value) -> bool:
    return isinstance(value, str) and not isinstance(value, Formula) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value):
    """A CSV cell: a formula-looking text gets a leading apostrophe; anything else is left as it is."""
    return "'" + value if is_formula_like(value) else value


def install() -> None:
    from openpyxl.cell import cell as cell_module

    bind = cell_module.Cell._bind_value
    if getattr(bind, "_takes_lazy_text", False):
        return

    def _bind_value(self, value):
        if isinstance(value, Promise):
            value = str(value)
        bind(self, value)
        if self.data_type in ("f", "s") and is_formula_like(value):
            self.data_type = "s"
            if self.parent is not None:  # a cell of a sheet (not a bare Cell()): Excel's "this is text" flag
                self.quotePrefix = True

    _bind_value._takes_lazy_text = True
    cell_module.Cell._bind_value = _bind_value
