"""Writing the roll to Excel: the template cities fill in and the export, in the layout ROLL_FORMAT.md
describes and the importer reads back unchanged (export → import changes nothing).

Streaming: openpyxl write_only and an iterator over the officers, so memory stays flat for the province.
"""

import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core import scope

from . import ids
from .choices import OfficerStatus
from .importers import HEADERS
from .models import Officer, OrgUnit

TITLE = "湖南省交通运输综合行政执法 人员花名册"
NOTES = (
    "填写说明：表头行以下每行一人；身份证号请以文本填写（18位，末位可为X）；所属单位填单位全称或6位代码；"
    "人员状态：在岗/借调/离岗/调出/离职/退休，空白保持原状态；身高、胸围、腰围、头围以厘米计；"
    "脚长填毫米（200–320）或欧码（34–48，如“42码”）；空白单元格不会清除已有数据。"
)
WIDTHS = (10, 6, 22, 16, 32, 12, 10, 9, 9, 9, 9, 10, 12, 14, 20)
HEADER_ROW = 3
FIELDS = (
    "name",
    "gender",
    "id_number",
    "certificate_number",
    "unit_id",
    "post",
    "status",
    "height_cm",
    "chest_cm",
    "waist_cm",
    "head_cm",
    "foot_mm",
    "shoe_eu",
    "measured_on",
    "phone",
    "remarks",
)
GENDER_LABEL = {"M": "男", "F": "女"}
STATUS_LABEL = {c.value: c.label for c in OfficerStatus}


def _number(value):
    """Decimals as plain numbers (175, 88.5), as a city would type them."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class RollWriter:
    """A write-only roll workbook: title, notes, the header row the importer reads, one row per officer."""

    def __init__(self, *, title: str = TITLE, sheet: str = "花名册"):
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet(sheet)
        ws = self.sheet
        last = get_column_letter(len(HEADERS))
        for i, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        gender = DataValidation(type="list", formula1='"男,女"', allow_blank=True)
        gender.add(f"B{HEADER_ROW + 1}:B1048576")
        status = DataValidation(
            type="list", formula1='"' + ",".join(STATUS_LABEL.values()) + '"', allow_blank=True
        )
        status.add(f"G{HEADER_ROW + 1}:G1048576")
        ws.data_validations.append(gender)
        ws.data_validations.append(status)
        ws.append([self._cell(title, bold=True, size=14)])
        ws.append([self._cell(NOTES, size=9, wrap=True)])
        head_fill = PatternFill("solid", fgColor="DDEBF7")
        ws.append([self._cell(h, bold=True, fill=head_fill) for h in HEADERS])
        self.rows = 0

    def _cell(self, value, *, bold=False, size=None, fill=None, wrap=False, number_format=None):
        cell = WriteOnlyCell(self.sheet, value=value)
        if bold or size:
            cell.font = Font(bold=bold, size=size or 11)
        if fill is not None:
            cell.fill = fill
        if wrap:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if number_format:
            cell.number_format = number_format
        return cell

    def officer(self, values: tuple, unit_name: str, *, full_id: bool) -> None:
        """One officer from a values tuple in FIELDS order."""
        (
            name,
            gender,
            id_number,
            certificate,
            _unit_id,
            post,
            status,
            height,
            chest,
            waist,
            head,
            foot,
            shoe_eu,
            measured_on,
            phone,
            remarks,
        ) = values
        number = id_number if full_id else ids.mask(id_number)
        # a European size is given back as entered ("42码"); a foot length in mm as a number
        foot_cell = f"{_number(shoe_eu)}码" if shoe_eu is not None else _number(foot)
        date_cell = self._cell(measured_on, number_format="yyyy-mm-dd") if measured_on else None
        self.sheet.append(
            [
                name,
                GENDER_LABEL.get(gender, gender),
                self._cell(number, number_format="@"),
                self._cell(certificate, number_format="@") if certificate else None,
                unit_name,
                post or None,
                STATUS_LABEL.get(status, status),
                _number(height),
                _number(chest),
                _number(waist),
                _number(head),
                foot_cell,
                date_cell,
                self._cell(phone, number_format="@") if phone else None,
                remarks or None,
            ]
        )
        self.rows += 1

    def save(self, out) -> None:
        self.book.save(out)


def write_officers(
    out, officers, *, user=None, title: str = TITLE, door: str = "export", where: str = "export"
) -> int:
    """Write officers (a queryset) to `out`; ID numbers in full for the staff who keep each officer's roll
    (or user None: the system), masked otherwise. Full numbers shown outside the officers' chain are recorded
    (privacy.record_disclosures, one bulk insert). Returns the number of officers written."""
    from .privacy import in_chain, record_disclosures
    from .services import can_see_full_id

    units = {u.pk: u for u in OrgUnit.objects.all()}
    full: dict[int, bool] = {}
    outside: list[tuple[int, OrgUnit]] = []
    writer = RollWriter(title=title)
    for values in (
        officers.order_by("unit__path", "name", "id").values_list(*FIELDS, "id").iterator(chunk_size=2000)
    ):
        values, officer_id = values[:-1], values[-1]
        unit_id = values[4]
        if unit_id not in full:
            full[unit_id] = user is None or can_see_full_id(user, units[unit_id])
            if user is not None and full[unit_id] and in_chain(user, units[unit_id]):
                full[unit_id] = "chain"
        if full[unit_id] is True and user is not None:
            outside.append((officer_id, units[unit_id]))
        writer.officer(values, units[unit_id].name, full_id=bool(full[unit_id]))
    writer.save(out)
    record_disclosures(user, outside, door=door, where=where)
    return writer.rows


def export_roll(
    out, *, user, unit: OrgUnit | None = None, door: str = "export", where: str = "export"
) -> int:
    """The roll of the user's scope (or of `unit`'s subtree, which must be in it) as a workbook."""
    qs = Officer.objects.restrict(user) if user is not None else Officer.objects.all()
    title = TITLE
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
        title = f"{unit.name} 人员花名册"
    title = f"{title}（导出于 {datetime.date.today():%Y-%m-%d}）"
    return write_officers(out, qs, user=user, title=title, door=door, where=where)


def export_template(
    out, *, user, city: OrgUnit | None = None, door: str = "export", where: str = "export"
) -> int:
    """The template; prefilled with the officers of `city` (its detachment and counties) when given, so the
    city fills in measurements and corrections and uploads it back."""
    if city is None:
        writer = RollWriter()
        writer.save(out)
        return 0
    qs = Officer.objects.filter(unit__path__startswith=city.path)
    if user is not None:
        qs = qs.filter(scope.scope_q(user))
    return write_officers(out, qs, user=user, title=f"{city.name} 人员花名册", door=door, where=where)
