"""Reading a city's roll (花名册) exactly as shared ROLL_FORMAT.md describes it.

Two steps, no database in the first: `parse_roll(data, filename)` finds the header by text, reads every
row and checks every cell (→ clean values per row, and row errors), then `services.roll_import` looks the
rows up on the roll in a few queries and writes all or nothing. `error_workbook` gives the uploaded sheet
back with the bad cells marked.
"""

import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext, gettext_lazy, pgettext

from core import uploads
from core.errors import QMError

from . import ids, names
from .choices import STATUS_BY_LABEL, Gender

# ---- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the name the template writes
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("name", "姓名", required=True),
    Column("gender", "性别", required=True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码"), required=True),
    Column("certificate_number", "执法证号"),
    Column("unit", "所属单位", ("单位", "单位名称"), required=True),
    Column("post", "岗位", ("职务",)),
    Column("status", "人员状态"),
    # measurement columns also answer to their bare name (身高, 身高(厘米)): the unit is a note
    Column("height_cm", "身高(cm)", ("身高",)),
    Column("chest_cm", "胸围(cm)", ("胸围",)),
    Column("waist_cm", "腰围(cm)", ("腰围",)),
    Column("head_cm", "头围(cm)", ("头围",)),
    Column("foot", "脚长(mm)", ("鞋码", "鞋号", "脚长")),
    Column("measured_on", "测量日期"),
    Column("phone", "联系电话"),
    Column("remarks", "备注"),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = frozenset(c.key for c in COLUMNS if c.required)
HEADERS = [c.header for c in COLUMNS]
_NAMES = sorted(
    ((n.casefold(), c.key) for c in COLUMNS for n in (c.header, *c.aliases)), key=lambda x: -len(x[0])
)
_NOTES = re.compile(r"(\([^()]*\))+")
_SPACE = re.compile(r"\s+")

MEASURES = {  # key: (low, high) in the column's unit
    "height_cm": (Decimal(140), Decimal(210)),
    "chest_cm": (Decimal(60), Decimal(140)),
    "waist_cm": (Decimal(50), Decimal(140)),
    "head_cm": (Decimal(48), Decimal(66)),
}
MEASURE_FIELDS = ("height_cm", "chest_cm", "waist_cm", "head_cm", "foot_mm", "shoe_eu")
MAX_LEN = {"certificate_number": 40, "post": 50, "remarks": 500}
EARLIEST_MEASURE = datetime.date(2000, 1, 1)


def header_key(text) -> str | None:
    """The column a header cell names: spaces out, full-width brackets half-width, then a name or alias,
    possibly followed by bracketed notes (身份证号码(18位), 身高（cm）)."""
    if not isinstance(text, str):
        return None
    norm = _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    if not norm:
        return None
    for name, key in _NAMES:
        if norm == name or (norm.startswith(name) and _NOTES.fullmatch(norm[len(name) :])):
            return key
    return None


# ---- results -------------------------------------------------------------------------------------


@dataclass
class RowError:
    row: int  # sheet row number, 1-based as Excel shows it
    column: str  # the header as written in the sheet
    value: str
    reason: str  # in the language active when the file was read
    code: str
    col: int = 0  # 1-based sheet column, for marking the cell

    @property
    def cell(self) -> str:
        from openpyxl.utils import get_column_letter

        return f"{get_column_letter(self.col)}{self.row}" if self.col else ""

    @property
    def reason_shown(self) -> str:
        """The reason, in the language that was active when the file was read (pages, the API)."""
        return str(self.reason)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "cell": self.cell,
            "value": self.value,
            "reason": self.reason_shown,
            "code": self.code,
        }

    def line(self) -> str:
        """`row 138, 身份证号, 4301021986…: wrong check character` (ROLL_FORMAT, the command line)."""
        value = self.value if len(self.value) <= 12 else self.value[:10] + "…"
        return f"row {self.row}, {self.column}, {value}: {self.reason}"


@dataclass
class RollRow:
    row: int
    values: dict  # field → clean value, only for the cells that are not blank
    unit_text: str = ""  # 所属单位 as typed (spaces out), resolved against the org tree by the service
    cells: dict = field(default_factory=dict)  # id_number/unit/status → (header as written, column, shown)


@dataclass
class ParsedRoll:
    sheet: str
    header_row: int
    headers: dict  # key → (header as written, 1-based column)
    rows: list[RollRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    skipped_total_rows: int = 0


class _CellError(Exception):
    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


# ---- reading the file ----------------------------------------------------------------------------

SAVE_AS_XLSX = gettext_lazy("无法读取该 .xls 文件，请另存为 .xlsx 后上传")


def read_first_sheet(data: bytes, filename: str):
    """(sheet name, iterator of (row number, [cells])) of the workbook's first sheet, via python-calamine."""
    from python_calamine import CalamineWorkbook

    name = (filename or "").lower()
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if ext not in ("xlsx", "xlsm", "xls"):
        raise QMError("bad_file_type", gettext("请上传 Excel 文件（.xlsx）"), {"filename": filename})
    uploads.check_workbook(data, uploads.ROLL)  # bounded before calamine builds anything
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        start_row = sheet.start[0] if sheet.start else 0
        rows = sheet.iter_rows()
        start_col = sheet.start[1] if sheet.start else 0
    except Exception as exc:  # calamine raises its own error types for bad zips, xml, passwords, old BIFF
        if ext == "xls":
            raise QMError("save_as_xlsx", SAVE_AS_XLSX, {"filename": filename}) from None
        raise QMError(
            "unreadable_file",
            gettext("无法读取该文件，请确认是 Excel 工作簿（{name}）").format(name=type(exc).__name__),
            {"filename": filename},
        ) from None
    return sheet.name, ((start_row + i + 1, start_col, r) for i, r in enumerate(rows))


# ---- cell values ---------------------------------------------------------------------------------


def display(value) -> str:
    """A cell as the user sees it, for error reports."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e15:
            return f"{value:.6G}"
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.time() else f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _text(value) -> str:
    """NFKC (full-width digits and letters to half-width), trimmed."""
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip() if not value.isascii() else value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return display(value)


def _blank(value) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


_SCI = re.compile(r"[+-]?\d+(\.\d*)?[eE][+-]?\d+")
_PLAIN_CJK_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff·]+$")


def clean_name(value) -> str:
    text = _text(value)
    if 1 <= len(text) <= 30 and _PLAIN_CJK_NAME.match(text):  # the usual case
        return text
    try:
        text = names.check(text)  # zero-width spaces, bidi overrides, emoji refused; Extension B stays
    except names.InvalidName as exc:
        raise _CellError(exc.code, exc.reason) from None
    if not 1 <= len(text) <= 30:
        raise _CellError("bad_name", gettext("姓名应为1–30个字"))
    if any(ch.isdigit() for ch in text):
        raise _CellError("bad_name", gettext("姓名含数字"))
    return text


def clean_gender(value) -> str:
    text = _SPACE.sub("", _text(value))
    if text not in ("男", "女"):
        raise _CellError("bad_gender", gettext("性别应为男或女"))
    return Gender.MALE if text == "男" else Gender.FEMALE


def clean_id_number(value) -> tuple[str, datetime.date, str]:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise _CellError("id_as_number", gettext("身份证号被存为数字，末几位已丢失，请设为文本重填"))
    text = _SPACE.sub("", _text(value)).lstrip("'`‘’")  # a text-marking apostrophe typed in old sheets
    if _SCI.fullmatch(text):
        raise _CellError("id_as_number", gettext("身份证号被存为数字，末几位已丢失，请设为文本重填"))
    try:
        return ids.parse(text)
    except ids.IdNumberError as exc:
        code = exc.code if exc.code != "id_characters" else "bad_id_number"
        raise _CellError(code, str(exc)) from None


def clean_code_like(value, label: str) -> str:
    """A code typed as a number (certificate numbers): 4300012345.0 → 4300012345; long ones lost digits."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise _CellError("stored_as_number", gettext("{label}被存为数字，末几位已丢失").format(label=label))
    return _SPACE.sub("", _text(value)).upper()


def _decimal(value) -> tuple[Decimal, str]:
    """A number cell or text like '175cm', '42码', '88.5' → (number, unit typed or '')."""
    if isinstance(value, bool):
        raise _CellError("not_a_number", gettext("不是数字"))
    if isinstance(value, int | float):
        return Decimal(str(round(value, 6))).normalize(), ""
    text = _SPACE.sub("", _text(value)).lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)(cm|厘米|公分|mm|毫米|码|号|eu)?", text)
    if not m:
        raise _CellError("not_a_number", gettext("不是数字"))
    return Decimal(m.group(1)).normalize(), m.group(2) or ""


def _one_decimal(number: Decimal) -> Decimal:
    if number.as_tuple().exponent < -1:
        raise _CellError("too_precise", gettext("最多一位小数"))
    return number


_DECIMALS: dict[float, Decimal] = {}
_MEASURED: dict[tuple, Decimal] = {}  # (column, cell value) → checked value: measurements repeat a lot


def clean_measure(value, key: str) -> Decimal:
    if value.__class__ is float or value.__class__ is int:  # the usual case: a number cell
        number = _MEASURED.get((key, value))
        if number is not None:
            return number
        tenth = round(value, 1)
        if abs(value - tenth) > 1e-6:
            raise _CellError("too_precise", gettext("最多一位小数"))
        lo, hi = MEASURES[key]
        if not lo <= tenth <= hi:
            raise _CellError("out_of_range", gettext("应在{lo}–{hi}厘米之间").format(lo=lo, hi=hi))
        number = _DECIMALS.get(tenth)
        if number is None:
            number = _DECIMALS[tenth] = Decimal(repr(float(tenth))).normalize()
        if len(_MEASURED) < 100_000:
            _MEASURED[(key, value)] = number
        return number
    number, unit = _decimal(value)
    if unit in ("mm", "毫米"):
        number = (number / 10).normalize()
    elif unit not in ("", "cm", "厘米", "公分"):
        raise _CellError("bad_unit", gettext("单位应为厘米（填的是 {unit}）").format(unit=unit))
    lo, hi = MEASURES[key]
    number = _one_decimal(number)
    if not lo <= number <= hi:
        raise _CellError("out_of_range", gettext("应在{lo}–{hi}厘米之间").format(lo=lo, hi=hi))
    return number


_FEET: dict = {}


def clean_foot(value) -> tuple[Decimal, Decimal | None]:
    """(foot length mm, EU size if an EU size was given). SIZING.md: 34–48 is EU (halves), 200–320 mm."""
    known = _FEET.get(value) if value.__class__ is float or value.__class__ is int else None
    if known is not None:
        return known
    result = _clean_foot(value)
    if (value.__class__ is float or value.__class__ is int) and len(_FEET) < 10_000:
        _FEET[value] = result
    return result


def _clean_foot(value) -> tuple[Decimal, Decimal | None]:
    from assets.sizes import FootSizeError, foot_mm_from_input

    number, unit = _decimal(value)
    if unit in ("cm", "厘米", "公分"):
        number, unit = (number * 10).normalize(), "mm"
    if unit in ("码", "号", "eu"):
        if not Decimal(34) <= number <= Decimal(48):
            raise _CellError("out_of_range", gettext("欧码应在34–48之间"))
    elif unit in ("mm", "毫米") and not Decimal(200) <= number <= Decimal(320):
        raise _CellError("out_of_range", gettext("脚长应在200–320毫米之间"))
    try:
        foot = foot_mm_from_input(number)
    except FootSizeError as exc:
        raise _CellError("out_of_range", str(exc)) from None
    is_eu = foot != number or unit in ("码", "号", "eu")
    _one_decimal(number)
    return foot.quantize(Decimal("0.1")), (number.quantize(Decimal("0.1")) if is_eu else None)


_DATE_TEXT = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")


def clean_date(value, today: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        day = value.date()
    elif isinstance(value, datetime.date):
        day = value
    else:
        text = _SPACE.sub("", _text(value))
        m = _DATE_TEXT.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
        if not m:
            raise _CellError("bad_date", gettext("不是日期"))
        try:
            day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            raise _CellError("bad_date", gettext("日期不存在")) from None
    if day > today:
        raise _CellError("bad_date", gettext("测量日期晚于今天"))
    if day < EARLIEST_MEASURE:
        raise _CellError("bad_date", gettext("测量日期早于2000年"))
    return day


def clean_phone(value) -> str:
    text = re.sub(r"[\s\-–—()]", "", _text(value))
    if text.startswith("+86"):
        text = text[3:]
    if not re.fullmatch(r"1\d{10}", text):
        raise _CellError("bad_phone", gettext("应为1开头的11位手机号"))
    return text


def clean_status(value) -> str:
    text = _SPACE.sub("", _text(value))
    if text not in STATUS_BY_LABEL:
        raise _CellError(
            "bad_status",
            gettext("人员状态应为 在岗/借调/离岗/调出/离职/退休"),
        )
    return STATUS_BY_LABEL[text]


def clean_text(value, key: str) -> str:
    text = _SPACE.sub(" ", _text(value))
    if len(text) > MAX_LEN[key]:
        raise _CellError("too_long", gettext("最多{value}个字").format(value=MAX_LEN[key]))
    return text


# ---- the sheet -----------------------------------------------------------------------------------

_TOTAL = re.compile(r"^(合计|总计)")


def parse_roll(data: bytes, filename: str, *, today: datetime.date | None = None) -> ParsedRoll:
    """Header by text, every row cleaned. Whole-file problems raise QMError; row problems are collected."""
    today = today or datetime.date.today()
    sheet_name, rows = read_first_sheet(data, filename)
    headers = None
    for number, col0, cells in rows:
        keys = [header_key(c) for c in cells]
        if "id_number" in keys:
            headers = {}
            for j, (key, cell) in enumerate(zip(keys, cells, strict=True)):
                if key is None:
                    continue
                if key in headers:
                    raise QMError(
                        "duplicate_column",
                        gettext("表头重复：{value} 与 {strip} 是同一列").format(
                            value=headers[key][0], strip=cell.strip()
                        ),
                        {"row": number, "column": cell.strip()},
                    )
                headers[key] = (cell.strip(), col0 + j + 1, j)
            header_row = number
            break
    if headers is None:
        raise QMError(
            "no_header",
            gettext("找不到表头：没有一格写着“身份证号”"),
            {"sheet": sheet_name},
        )
    missing = [c.header for c in COLUMNS if c.required and c.key not in headers]
    if missing:
        raise QMError(
            "missing_column",
            gettext("缺少必填列：{missing}").format(missing="、".join(missing)),
            {"columns": missing, "header_row": header_row, "sheet": sheet_name},
        )

    parsed = ParsedRoll(
        sheet=sheet_name, header_row=header_row, headers={k: v[:2] for k, v in headers.items()}
    )
    columns = [(key, written, col, j) for key, (written, col, j) in headers.items()]
    indexes = [j for _k, _w, _c, j in columns]
    seen_ids: dict[str, int] = {}
    errors = parsed.errors
    for number, _col0, cells in rows:
        width = len(cells)
        vals = [cells[j] if j < width else "" for j in indexes]
        if not any(v for v in vals if not (v.__class__ is str and v.isspace())):
            continue  # blank row (or only unknown columns filled)
        first = next((c for c in cells if c and not (c.__class__ is str and c.isspace())), "")
        if first.__class__ is str and _TOTAL.match(_SPACE.sub("", unicodedata.normalize("NFKC", first))):
            parsed.skipped_total_rows += 1
            continue
        values: dict = {}
        row = RollRow(row=number, values=values)
        gender = id_gender = None
        id_cell = None
        for (key, written, col, _j), value in zip(columns, vals, strict=True):
            if value is None or value == "" or (value.__class__ is str and value.isspace()):
                if key in REQUIRED:
                    errors.append(RowError(number, written, "", gettext("必填"), "required", col))
                continue
            try:
                if key in MEASURES:
                    values[key] = clean_measure(value, key)
                elif key == "name":
                    values["name"] = clean_name(value)
                elif key == "gender":
                    values["gender"] = gender = clean_gender(value)
                elif key == "id_number":
                    row.cells["id_number"] = (written, col, value)
                    values["id_number"], values["birth_date"], id_gender = clean_id_number(value)
                    id_cell = row.cells["id_number"]
                elif key == "unit":
                    row.unit_text = _SPACE.sub("", _text(value))
                    row.cells["unit"] = (written, col, value)
                elif key == "foot":
                    values["foot_mm"], eu = clean_foot(value)
                    values["shoe_eu"] = eu  # None when a length in mm was given: the EU size no longer holds
                elif key == "phone":
                    values["phone"] = clean_phone(value)
                elif key == "measured_on":
                    values["measured_on"] = clean_date(value, today)
                elif key == "status":
                    row.cells["status"] = (written, col, value)
                    values["status"] = clean_status(value)
                elif key == "certificate_number":
                    text = clean_code_like(value, "执法证号")
                    if len(text) > MAX_LEN["certificate_number"]:
                        raise _CellError("too_long", gettext("最多40个字符"))
                    values["certificate_number"] = text
                else:  # post, remarks
                    values[key] = clean_text(value, key)
            except _CellError as exc:
                errors.append(RowError(number, written, display(value), exc.reason, exc.code, col))
        if id_cell is not None:
            written, col, value = id_cell
            if gender is not None and gender != id_gender:
                errors.append(
                    RowError(
                        number,
                        written,
                        display(value),
                        gettext("性别位与性别“{gender}”不符").format(gender=Gender(gender).label),
                        "id_gender",
                        col,
                    )
                )
            first_row = seen_ids.get(values["id_number"])
            if first_row is not None:
                errors.append(
                    RowError(
                        number,
                        written,
                        display(value),
                        gettext("与第{first_row}行重复").format(first_row=first_row),
                        "duplicate",
                        col,
                    )
                )
                continue
            seen_ids[values["id_number"]] = number
            values["gender"] = id_gender
        if "id_number" in values:
            parsed.rows.append(row)
    return parsed


# ---- the error report ----------------------------------------------------------------------------

MARK_FILL = "FFC7CE"
# openpyxl holds a loaded sheet at ~450 bytes a cell: a 100,000-row roll peaked at 862 MB and took 94 s. Over
# this size the report is a values-only copy streamed row by row (about 15,000 rows; formatting not kept).
STREAMED_REPORT_BYTES = 1 * 2**20


def error_workbook(data: bytes, filename: str, errors: list[RowError], *, message: str = "") -> bytes:
    """The uploaded sheet with each bad cell filled and commented with its reason, plus a sheet listing
    the errors. An .xls upload comes back as .xlsx with its values."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    if len(data) > STREAMED_REPORT_BYTES:
        return _streamed_error_workbook(data, errors, message=message)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data))
        sheet = book.worksheets[0]
    except Exception:  # an .xls (or a file openpyxl cannot open): rebuild its first sheet from its values
        from python_calamine import CalamineWorkbook

        source = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = source.name[:31]
        for cells in source.to_python(skip_empty_area=False):
            sheet.append(list(cells))
    fill = PatternFill("solid", fgColor=MARK_FILL)
    reasons: dict[tuple[int, int], list[str]] = {}
    for err in errors:
        if err.col:
            reasons.setdefault((err.row, err.col), []).append(err.reason_shown)
    for (row, col), texts in reasons.items():
        cell = sheet.cell(row=row, column=col)
        cell.fill = fill
        cell.comment = Comment("\n".join(texts), "Quartermaster", width=300, height=80)
    listing = book.create_sheet(gettext("错误"))
    listing.append([pgettext("row", "行"), gettext("列"), gettext("单元格"), gettext("值"), gettext("原因")])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    if message:
        listing.append(["", "", "", "", message])
    for err in errors:
        listing.append([err.row, err.column, err.cell, err.value, err.reason_shown])
    for letter, width in zip("ABCDE", (8, 14, 10, 24, 60), strict=True):
        listing.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _streamed_error_workbook(data: bytes, errors: list[RowError], *, message: str = "") -> bytes:
    """error_workbook for a big sheet: its values copied row by row into a write-only workbook, the bad
    cells filled and commented as they pass, then the listing; memory stays near calamine's own copy."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from python_calamine import CalamineWorkbook

    source = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    fill = PatternFill("solid", fgColor=MARK_FILL)
    reasons: dict[int, dict[int, list[str]]] = {}
    for err in errors:
        if err.col:
            reasons.setdefault(err.row, {}).setdefault(err.col, []).append(err.reason_shown)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(source.name[:31])
    start_row, start_col = source.start if source.start else (0, 0)
    for _ in range(start_row):
        sheet.append([])
    for i, cells in enumerate(source.iter_rows()):
        number = start_row + i + 1
        values = [None] * start_col + [None if c == "" else c for c in cells]
        for col, texts in reasons.get(number, {}).items():
            values.extend([None] * (col - len(values)))
            cell = WriteOnlyCell(sheet, value=values[col - 1])
            cell.fill = fill
            cell.comment = Comment("\n".join(texts), "Quartermaster", width=300, height=80)
            values[col - 1] = cell
        sheet.append(values)
    listing = book.create_sheet(gettext("错误"))
    for letter, width in zip("ABCDE", (8, 14, 10, 24, 60), strict=True):
        listing.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = [pgettext("row", "行"), gettext("列"), gettext("单元格"), gettext("值"), gettext("原因")]
    listing.append([_bold(listing, text, bold) for text in header])
    if message:
        listing.append(["", "", "", "", message])
    for err in errors:
        listing.append([err.row, err.column, err.cell, err.value, err.reason_shown])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bold(sheet, text, font):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.font = font
    return cell
