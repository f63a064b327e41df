"""Upload bombs (issue 16, part 1): each kind is built here, refused by core.uploads with the limit named,
before a reader builds anything; memory stays bounded (tracemalloc peak, loosely). Tests never assert a
time: the README gives the measured refusal times."""

import dataclasses
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core import uploads
from core.errors import QMError

MiB = 2**20
PEAK_LIMIT = 300 * MiB


def plain_workbook(rows=(("姓名", "身份证号"), ("王伟", "430102198001010011"))) -> bytes:
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rebuild(base: bytes, replace: dict, *, level: int = 6) -> bytes:
    """`base` with parts replaced or added: a value is bytes or an iterable of byte chunks (streamed in, so
    a part of hundreds of MB never sits in memory)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(base)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as dst,
    ):
        for info in src.infolist():
            if info.filename not in replace:
                dst.writestr(info, src.read(info))
        for name, content in replace.items():
            with dst.open(name, "w") as part:
                for chunk in [content] if isinstance(content, bytes) else content:
                    part.write(chunk)
    return out.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def sheet(body_chunks, dimension: bytes = b"") -> list:
    head = SHEET_HEAD + (b'<dimension ref="' + dimension + b'"/>' if dimension else b"") + b"<sheetData>"
    return [head, *body_chunks, b"</sheetData></worksheet>"]


def empty_rows(n: int, step: int = 50_000):
    for start in range(1, n + 1, step):
        yield b"".join(b'<row r="%d"/>' % i for i in range(start, min(start + step, n + 1)))


def huge_string(size: int):
    yield b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
    block = b"A" * MiB
    for _ in range(size // MiB):
        yield block
    yield b"</t></si></sst>"


def refused(data: bytes, limits=uploads.ROLL):
    """(the refusal, tracemalloc peak in bytes) of check_workbook on `data`."""
    tracemalloc.start()
    try:
        with pytest.raises(uploads.UploadRefused) as exc:
            uploads.check_workbook(data, limits)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return exc.value, peak


@pytest.fixture(scope="module")
def base() -> bytes:
    return plain_workbook()


@pytest.fixture(scope="module")
def shared_string_bomb(base) -> bytes:
    """One shared string of 160 MB (limit 128 MB a part): ~160 KB on the wire."""
    return rebuild(base, {"xl/sharedStrings.xml": huge_string(160 * MiB)}, level=9)


@pytest.fixture(scope="module")
def million_rows(base) -> bytes:
    return rebuild(base, {"xl/worksheets/sheet1.xml": sheet(empty_rows(1_000_000))}, level=9)


def test_an_honest_workbook_passes_and_is_reported(base):
    report = uploads.check_workbook(base)
    assert report.rows == 2 and report.cells == 4 and report.parts >= 5 and report.unpacked > 0


def test_one_huge_shared_string_is_refused_from_the_directory(shared_string_bomb):
    assert len(shared_string_bomb) < 2 * MiB
    err, peak = refused(shared_string_bomb)
    assert err.code == "unpacked_too_large" and err.details["limit"] == "part_bytes"
    assert err.details["part"] == "xl/sharedStrings.xml" and "xl/sharedStrings.xml" in err.message
    assert err.status == 422 and peak < 16 * MiB


def test_a_part_lying_about_its_size_fails_its_checksum(base):
    """A directory that declares 1 KB for a 40 MB sheet: the zip module stops at the declared size, and
    the checksum of what it read does not match."""
    honest = rebuild(base, {"xl/worksheets/sheet1.xml": sheet([b"<row/>" * 7_000_000])}, level=9)
    info = zipfile.ZipFile(io.BytesIO(honest)).getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size > 40 * MiB
    data = bytearray(honest)
    central = data.rfind(info.filename.encode()) - 46  # the central directory entry: its name follows
    assert data[central : central + 4] == b"PK\x01\x02"
    data[central + 24 : central + 28] = (1024).to_bytes(4, "little")  # the declared unpacked size
    err, peak = refused(bytes(data))
    assert err.code == "bad_file" and err.status == 400 and err.details["part"] == info.filename
    assert peak < 16 * MiB


def test_huge_sheet_xml_is_refused(base):
    """A sheet whose XML unpacks past the part limit (the probe's 1.1 GB case, scaled to 130 MB)."""
    data = rebuild(base, {"xl/worksheets/sheet1.xml": sheet([b"<row/>" * (MiB // 6)] * 130)}, level=9)
    err, peak = refused(data)
    assert err.code == "unpacked_too_large" and err.details["limit"] == "part_bytes" and peak < 16 * MiB


def test_a_million_empty_rows_stop_at_the_row_limit(million_rows):
    err, peak = refused(million_rows)
    assert err.code == "too_many_rows" and err.details == {
        "field": "file",
        "limit": "rows",
        "max": 120_000,
        "part": "xl/worksheets/sheet1.xml",
    }
    assert "120,000" in err.message and peak < 32 * MiB


@pytest.mark.parametrize(
    "cells",
    [
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="100000"><c r="IV100000"><v>1</v></c></row>',  # two cells, a 25-million-cell rectangle
        b'<row r="1"><c r="XFD1"><v>1</v></c></row>',  # the last column
    ],
)
def test_far_apart_cells_are_refused_by_the_rectangle_a_reader_would_allocate(base, cells):
    err, _peak = refused(rebuild(base, {"xl/worksheets/sheet1.xml": sheet([cells])}))
    assert err.code in ("sheet_too_large", "too_many_columns")


def test_a_huge_declared_dimension_is_refused(base):
    data = rebuild(
        base,
        {"xl/worksheets/sheet1.xml": sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'], b"A1:XFD1048576")},
    )
    err, _peak = refused(data)
    assert err.code == "sheet_too_large" and "A1:XFD1048576" in err.message


def test_a_huge_merged_range_is_refused(base):
    body = [
        b'<row r="1"><c r="A1"><v>1</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:IV100000"/></mergeCells><sheetData>'
    ]
    err, _peak = refused(rebuild(base, {"xl/worksheets/sheet1.xml": sheet(body)}))
    assert err.code == "sheet_too_large"


def test_too_many_cells(base):
    rows = (
        b'<row r="%d">' % r
        + b"".join(b'<c r="%s%d"><v>1</v></c>' % (c, r) for c in (b"A", b"B", b"C", b"D"))
        + b"</row>"
        for r in range(1, 20_001)
    )
    limits = dataclasses.replace(uploads.ROLL, cells=50_000)
    err, _peak = refused(rebuild(base, {"xl/worksheets/sheet1.xml": sheet(rows)}), limits)
    assert err.code == "too_many_cells" and err.details["max"] == 50_000


@pytest.mark.parametrize("name", ["xl/embeddings/inner.zip", "xl/media/image1.png"])
def test_an_archive_inside_the_archive_is_refused(base, name):
    """A deep zip: by its name, or by its content whatever its name."""
    inner = rebuild(base, {"xl/deeper.xlsx": base})
    err, _peak = refused(rebuild(base, {name: inner}))
    assert err.code == "nested_archive" and err.details["part"] == name


def test_too_many_parts(base):
    err, _peak = refused(rebuild(base, {f"xl/media/p{i}.bin": b"x" for i in range(1_001)}))
    assert err.code == "too_many_parts" and err.details["max"] == 1_000


def test_a_suspicious_compression_ratio(base):
    err, _peak = refused(rebuild(base, {"xl/media/zeros.bin": b"\0" * (8 * MiB)}, level=9))
    assert err.code == "compression_ratio" and err.details["part"] == "xl/media/zeros.bin"


def test_a_doctype_is_refused(base):
    evil = b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa">]><sst xmlns="x"><si><t>&a;</t></si></sst>'
    err, _peak = refused(rebuild(base, {"xl/sharedStrings.xml": evil}))
    assert err.code == "bad_file"


def test_the_upload_itself_is_bounded_before_it_is_read():
    class Big(io.BytesIO):
        size = 21 * MiB

    with pytest.raises(uploads.UploadRefused) as exc:
        uploads.read_bounded(Big(b"PK"), uploads.ROLL)
    assert exc.value.code == "file_too_large" and exc.value.status == 413
    with pytest.raises(uploads.UploadRefused):
        uploads.read_bounded(io.BytesIO(b"x" * (20 * MiB + 1)), uploads.ROLL)
    assert uploads.read_bounded(io.BytesIO(b"abc")) == b"abc"


def test_refusals_are_in_the_active_language(base, settings):
    from django.utils import translation

    data = rebuild(
        base,
        {"xl/worksheets/sheet1.xml": sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'], b"A1:XFD1048576")},
    )
    with translation.override("en"):
        err, _ = refused(data)
    assert err.message.startswith("The sheet's range is too large") and "A1:XFD1048576" in err.message


# ---- through every importer: the same guard, the limit named, nothing written -----------------------


def _peak_of(fn):
    tracemalloc.start()
    try:
        with pytest.raises(QMError) as exc:
            fn()
        return exc.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_the_roll_importer_refuses_a_bomb_over_the_api(api, org, changsha_user, shared_string_bomb):
    from personnel.models import Officer

    r = api.as_(changsha_user).post(
        "/personnel/roll/import",
        {"file": SimpleUploadedFile("花名册.xlsx", shared_string_bomb)},
        multipart=True,
    )
    assert r.status_code == 422 and r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "unpacked_too_large" and r.json()["details"]["limit"] == "part_bytes"
    assert Officer.objects.count() == 0


@pytest.mark.django_db
def test_the_roll_parse_of_a_million_rows_stays_small(million_rows):
    from personnel.importers import parse_roll

    err, peak = _peak_of(lambda: parse_roll(million_rows, "roll.xlsx"))
    assert err.code == "too_many_rows" and peak < PEAK_LIMIT


@pytest.mark.django_db
def test_the_vehicle_importer_refuses_a_bomb(org, province_user, million_rows):
    from vehicles.importers import import_vehicles
    from vehicles.models import Vehicle

    err, peak = _peak_of(
        lambda: import_vehicles(actor=province_user, source=io.BytesIO(million_rows), dry_run=True)
    )
    assert err.code == "too_many_rows" and err.details["max"] == uploads.VEHICLES.rows and peak < PEAK_LIMIT
    assert Vehicle.objects.count() == 0


@pytest.mark.django_db
def test_the_vehicle_import_api_refuses_a_declared_dimension_bomb(api, org, province_user, base):
    data = rebuild(
        base,
        {"xl/worksheets/sheet1.xml": sheet([b'<row r="1"><c r="A1"><v>1</v></c></row>'], b"A1:XFD1048576")},
    )
    r = api.as_(province_user).post(
        "/vehicles/import", {"file": SimpleUploadedFile("cars.xlsx", data)}, multipart=True
    )
    assert r.status_code == 422 and r.json()["code"] == "sheet_too_large"


@pytest.mark.django_db
def test_the_equipment_importer_refuses_a_bomb(org, province_user, shared_string_bomb):
    from assets.equipment_importers import import_inventory
    from assets.equipment_models import EquipmentItem
    from personnel.models import OrgUnit

    unit = OrgUnit.objects.get(level="province")
    err, peak = _peak_of(lambda: import_inventory(actor=province_user, unit=unit, data=shared_string_bomb))
    assert err.code == "unpacked_too_large" and peak < PEAK_LIMIT
    assert EquipmentItem.objects.count() == 0


@pytest.mark.django_db
def test_the_roll_error_report_of_a_big_sheet_is_streamed(monkeypatch):
    """Over STREAMED_REPORT_BYTES the report is a values-only copy written row by row (a 100,000-row roll
    peaked at 862 MB through openpyxl's full load; streamed, 221 MB): bad cells still filled and commented."""
    from openpyxl import load_workbook

    from personnel import importers
    from tests.personnel.rollbook import book, row

    monkeypatch.setattr(importers, "STREAMED_REPORT_BYTES", 0)
    data = book([row(1), row(2, **{"性别": "X"})])
    errors = [importers.RowError(5, "性别", "X", "性别应为男或女", "bad_gender", 2)]
    report = load_workbook(io.BytesIO(importers.error_workbook(data, "roll.xlsx", errors, message="1处错误")))
    sheet, listing = report.worksheets
    assert sheet["B5"].value == "X" and sheet["B5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "性别应为男或女" in sheet["B5"].comment.text and sheet["C4"].value == row(1)[2]
    assert [c.value for c in listing[3]] == [5, "性别", "B5", "X", "性别应为男或女"]
    assert listing["E2"].value == "1处错误" and listing["A1"].font.bold


@pytest.mark.django_db
def test_the_roll_error_report_passes_the_check_so_it_can_be_fixed_and_uploaded_again():
    """It carries comments (a legacy VML drawing, not parsed) and fills: an honest workbook."""
    from personnel import importers
    from tests.personnel.rollbook import book, row

    data = book([row(1), row(2, **{"性别": "X"})])
    errors = [importers.RowError(5, "性别", "X", "性别应为男或女", "bad_gender", 2)]
    report = uploads.check_workbook(importers.error_workbook(data, "roll.xlsx", errors, message="1处错误"))
    assert report.rows >= 5 and report.parts > 9
