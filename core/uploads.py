"""Every uploaded workbook is bounded before a reader builds anything from it (issue 16, part 1).

An .xlsx is a zip of XML parts. A reader (calamine, openpyxl) trusts what it finds: one 1 GB shared string,
a sheet whose XML unpacks to gigabytes, a million empty rows, two cells at opposite corners of the sheet
(a reader allocates the rectangle between them) or a declared dimension of A1:XFD1048576 each take a
worker down. `check_workbook` looks first, from the zip's directory and then one streaming pass over each
XML part with a hard cap, and stops at the first limit with a QMError naming it:

- the upload itself (20 MB) and the number of parts;
- each part's declared unpacked size, the total, and the compression ratio; a part that unpacks to more
  than it declares fails its checksum (the zip module stops at the declared size);
- no archive inside the archive;
- per sheet: rows, columns, cells written, the used rectangle (rows × columns), the declared dimension
  and merged ranges; per shared-string table: the number of strings;
- no DOCTYPE (OOXML has none; it is how entity-expansion bombs start).

Every importer calls it (personnel roll, vehicles, equipment) with its own `Limits`; a new importer does the
same. An .xls (OLE2) is not a zip: only its size is bounded here.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from xml.parsers import expat

from django.utils.translation import gettext

from .errors import QMError

MiB = 2**20
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ARCHIVE_MAGIC = (ZIP_MAGIC, b"PK\x05\x06", b"\x1f\x8b", b"7z\xbc\xaf", b"Rar!", b"BZh")
ARCHIVE_NAMES = re.compile(r"\.(zip|xlsx|xlsm|xlsb|docx|pptx|jar|gz|tgz|7z|rar|bz2|xz)$", re.I)
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
RATIO_FLOOR = MiB  # a small part may compress as well as it likes


@dataclass(frozen=True)
class Limits:
    upload_bytes: int = 20 * MiB  # the file as uploaded
    parts: int = 1_000  # zip entries
    part_bytes: int = 128 * MiB  # one part, unpacked (a 100,000-row roll's sheet is ~95 MB)
    total_bytes: int = 192 * MiB  # all parts, unpacked
    ratio: int = 100  # unpacked / packed, for parts over 1 MiB unpacked (a real sheet: 10–20)
    rows: int = 120_000  # rows per sheet (the highest row number and the rows written)
    columns: int = 256  # the highest column (IV)
    cells: int = 2_000_000  # cells written per sheet
    area: int = 3_000_000  # rows × columns of the rectangle a reader allocates
    strings: int = 2_000_000  # shared strings


ROLL = Limits()
VEHICLES = Limits(rows=20_000, cells=800_000, area=1_000_000, part_bytes=48 * MiB, total_bytes=64 * MiB)
EQUIPMENT = Limits(rows=20_100, cells=400_000, area=600_000, part_bytes=48 * MiB, total_bytes=64 * MiB)


@dataclass
class Report:
    """What the check saw: for the tests and the benchmark."""

    parts: int = 0
    unpacked: int = 0
    rows: int = 0
    cells: int = 0


class UploadRefused(QMError):
    """One limit crossed; `details` names it: {field, limit, max, part?}."""

    def __init__(self, code: str, message: str, limit: str, maximum, part: str = "", status: int = 422):
        details = {"field": "file", "limit": limit, "max": maximum}
        if part:
            details["part"] = part
        super().__init__(code, message, details, status=status)


def _mb(n: int) -> str:
    return format(round(n / MiB, 1), "g")


def read_bounded(source, limits: Limits = ROLL) -> bytes:
    """The bytes of an upload (bytes, a path, an UploadedFile or any file object), refusing one over the
    upload limit without reading more than the limit (a declared `.size` is checked first)."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        size = getattr(source, "size", None)
        if isinstance(size, int) and size > limits.upload_bytes:
            raise _too_large(limits)
        if isinstance(source, str) or hasattr(source, "__fspath__"):
            with open(source, "rb") as fh:
                data = fh.read(limits.upload_bytes + 1)
        else:
            data = source.read(limits.upload_bytes + 1)
    if len(data) > limits.upload_bytes:
        raise _too_large(limits)
    return data


def _too_large(limits: Limits) -> UploadRefused:
    return UploadRefused(
        "file_too_large",
        gettext("文件过大（上限{mb}MB）").format(mb=_mb(limits.upload_bytes)),
        "upload_bytes",
        limits.upload_bytes,
        status=413,
    )


def check_workbook(data: bytes, limits: Limits = ROLL) -> Report:
    """Refuse `data` at the first limit it crosses (UploadRefused, 413 for the upload size, else 422);
    a file that is neither a zip nor an OLE2 workbook is left to the reader to refuse in its own words."""
    if len(data) > limits.upload_bytes:
        raise _too_large(limits)
    report = Report()
    if not data.startswith(ZIP_MAGIC):
        return report  # .xls (OLE2, bounded by its size) or not a workbook at all
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise _corrupt("") from None
    report.parts = len(infos)
    if len(infos) > limits.parts:
        raise UploadRefused(
            "too_many_parts",
            gettext("文件内部条目过多（{n}个，上限{limit}个）").format(n=len(infos), limit=limits.parts),
            "parts",
            limits.parts,
        )
    total = 0
    for info in infos:  # the directory first: nothing is unpacked yet
        total += info.file_size
        _check_declared(info, total, limits)
    for info in infos:
        if info.is_dir():
            continue
        report.unpacked += _scan_part(archive, info, limits, report)
    return report


def _check_declared(info: zipfile.ZipInfo, total: int, limits: Limits) -> None:
    name = info.filename
    if ARCHIVE_NAMES.search(name):
        raise _nested(name)
    if info.file_size > limits.part_bytes:
        raise UploadRefused(
            "unpacked_too_large",
            gettext("文件解压后过大：{part} 为 {size}MB（上限{limit}MB）").format(
                part=name, size=_mb(info.file_size), limit=_mb(limits.part_bytes)
            ),
            "part_bytes",
            limits.part_bytes,
            name,
        )
    if total > limits.total_bytes:
        raise UploadRefused(
            "unpacked_too_large",
            gettext("文件解压后过大（合计上限{limit}MB）").format(limit=_mb(limits.total_bytes)),
            "total_bytes",
            limits.total_bytes,
            name,
        )
    if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
        raise UploadRefused(
            "compression_ratio",
            gettext("文件压缩比异常：{part} 压缩了{ratio}倍（上限{limit}倍）").format(
                part=name, ratio=info.file_size // max(info.compress_size, 1), limit=limits.ratio
            ),
            "ratio",
            limits.ratio,
            name,
        )


def _nested(name: str) -> UploadRefused:
    return UploadRefused(
        "nested_archive",
        gettext("文件内含压缩包（{part}），不予读取").format(part=name),
        "nested_archive",
        0,
        name,
    )


def _corrupt(name: str) -> UploadRefused:
    return UploadRefused(
        "bad_file",
        gettext("文件已损坏或不是 Excel 工作簿（{part}）").format(part=name or "zip"),
        "well_formed",
        0,
        name,
        status=400,
    )


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, report: Report) -> int:
    """Unpack one part in 1 MiB steps (never more than it declares: the zip module stops there and checks
    the CRC); an XML part goes through expat, counting as it streams."""
    name = info.filename
    xml = name.lower().endswith((".xml", ".rels"))  # not .vml: Excel's legacy VML need not be well-formed
    counter = _Counter(name, limits, report) if xml else None
    seen = 0
    try:
        with archive.open(info) as part:
            first = True
            while chunk := part.read(MiB):
                if first:
                    if chunk.startswith(ARCHIVE_MAGIC):
                        raise _nested(name)
                    first = False
                seen += len(chunk)
                if seen > info.file_size or seen > limits.part_bytes:  # cannot happen with an honest zip
                    raise _corrupt(name)
                if counter is not None:
                    counter.feed(chunk)
        if counter is not None:
            counter.close()
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, expat.ExpatError, ValueError, OSError, EOFError, NotImplementedError):
        raise _corrupt(name) from None
    return seen


class _Counter:
    """One expat pass over an XML part: rows, cells and the used rectangle of a sheet, the declared
    dimension and merged ranges, the shared strings; refuses at the first limit."""

    def __init__(self, name: str, limits: Limits, report: Report):
        self.name, self.limits, self.report = name, limits, report
        self.rows = self.cells = self.strings = 0
        self.row = self.col = self.max_row = self.max_col = 0
        parser = expat.ParserCreate()
        parser.StartElementHandler = self._start
        parser.StartDoctypeDeclHandler = self._doctype
        parser.buffer_text = False
        self.parser = parser

    def feed(self, chunk: bytes) -> None:
        self.parser.Parse(chunk, False)

    def close(self) -> None:
        self.parser.Parse(b"", True)
        self.report.rows = max(self.report.rows, self.rows)
        self.report.cells = max(self.report.cells, self.cells)

    def _doctype(self, *args) -> None:
        raise _corrupt(self.name)

    def _start(self, name: str, attrs: dict) -> None:
        if name == "v":  # a cell's value: the most frequent element, nothing to count
            return
        if name == "c" or name[-2:] == ":c":
            self.cells += 1
            if self.cells > self.limits.cells:
                raise self._refuse("too_many_cells", "cells", self.cells)
            ref = attrs.get("r")
            if ref is None:
                self.col += 1
            elif ref[1:2].isdigit() and "A" <= ref[0] <= "Z":  # A1…Z99999: the usual case
                self.col = ord(ref[0]) - 64
            else:
                self.col = _column(ref)
            if self.col > self.max_col:
                self.max_col = self.col
                if self.col > self.limits.columns:
                    raise self._refuse("too_many_columns", "columns", self.col)
                self._area()
            return
        local = name.rpartition(":")[2]
        if local == "row":
            self.rows += 1
            ref = attrs.get("r")
            self.row = int(ref) if ref is not None and ref.isdigit() else self.row + 1
            self.col = 0
            if self.rows > self.limits.rows or self.row > self.limits.rows:
                raise self._refuse("too_many_rows", "rows", max(self.rows, self.row))
            if self.row > self.max_row:
                self.max_row = self.row
                self._area()
        elif local == "si":
            self.strings += 1
            if self.strings > self.limits.strings:
                raise self._refuse("too_many_strings", "strings", self.strings)
        elif local == "dimension" or local == "mergeCell":
            self._declared(attrs.get("ref") or "", local)
        elif local == "sst":
            for key in ("count", "uniqueCount"):
                value = attrs.get(key, "0")
                if value.isdigit() and int(value) > max(self.limits.strings, self.limits.cells):
                    raise self._refuse("too_many_strings", "strings", int(value))

    def _area(self) -> None:
        if self.max_row * self.max_col > self.limits.area:
            raise self._refuse("sheet_too_large", "area", self.max_row * self.max_col)

    def _declared(self, ref: str, what: str) -> None:
        """A declared rectangle (the sheet's dimension, a merged range): readers allocate it."""
        first, _, last = ref.partition(":")
        a, b = _REF.match(first), _REF.match(last or first)
        if a is None or b is None:
            return  # a reference no reader understands: the reader refuses it in its own words
        rows = abs(int(b.group(2)) - int(a.group(2))) + 1
        cols = abs(_column(b.group(1)) - _column(a.group(1))) + 1
        top_row = max(int(a.group(2)), int(b.group(2)))
        right_col = max(_column(a.group(1)), _column(b.group(1)))
        if (
            top_row > self.limits.rows
            or right_col > self.limits.columns
            or rows * cols > self.limits.area
            or top_row * right_col > self.limits.area
        ):
            raise self._refuse("sheet_too_large", "area", top_row * right_col, declared=ref)

    def _refuse(self, code: str, limit: str, found: int, declared: str = "") -> UploadRefused:
        maximum = getattr(self.limits, limit)
        messages = {
            "too_many_rows": gettext("工作表行数过多（{found}行，上限{limit}行）"),
            "too_many_columns": gettext("工作表列数过多（第{found}列，上限{limit}列）"),
            "too_many_cells": gettext("工作表单元格过多（超过{limit}个）"),
            "sheet_too_large": gettext("工作表范围过大（{found}格，上限{limit}格）"),
            "too_many_strings": gettext("共享文本过多（{found}条，上限{limit}条）"),
        }
        message = messages[code].format(found=f"{found:,}", limit=f"{maximum:,}")
        if declared:
            message += gettext("，声明范围 {ref}").format(ref=declared)
        return UploadRefused(code, message, limit, maximum, self.name)


def _column(ref: str) -> int:
    """The 1-based column of a cell reference or column letters ("AB12" → 28); 0 without letters."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        elif ch == "$":
            continue
        else:
            break
    return n
