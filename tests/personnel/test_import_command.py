"""python manage.py import_roll: output lines, summary, exit statuses, --user, --dry-run, --report."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from core.history import history_for
from personnel.models import Officer

from .factories import OfficerFactory
from .rollbook import book, person, row


def command(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_roll", *map(str, args), stdout=out, stderr=err)
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def sheet(tmp_path):
    def write(rows, **kw):
        path = tmp_path / "花名册.xlsx"
        path.write_bytes(book(rows, **kw))
        return path

    return write


@pytest.fixture
def province(make_user):
    return make_user("province", "430000", username="province")


def test_imports_and_prints_the_summary(sheet, province):
    code, out, err = command(sheet([row(1), row(2)]))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "created 2, updated 0, unchanged 0"
    officer = Officer.objects.get(id_number=person(1))
    record = history_for(officer).get()
    assert (record.actor, record.source) == (province, "cli")
    code, out, _ = command(sheet([row(1), row(2, **{"岗位": "站长"})]))
    assert out.splitlines()[0] == "created 0, updated 1, unchanged 1"


def test_row_errors_one_line_each_exit_1_nothing_written(sheet, province, tmp_path):
    good = person(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    report = tmp_path / "errors.xlsx"
    code, out, err = command(
        sheet([row(1, **{"身份证号": bad}), row(2, **{"联系电话": "12"})]), "--report", report
    )
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"row 4, 身份证号, {bad[:10]}…: wrong check character"
    assert lines[1] == "row 5, 联系电话, 12: must be an 11-digit mobile number starting with 1"
    assert lines[2] == "refused: 2 errors in 2 rows, nothing written"
    assert out.splitlines()[0] == "created 1, updated 0, unchanged 0"  # what the good rows would do
    assert Officer.objects.count() == 0
    marked = openpyxl.load_workbook(report)
    # the command works in English (ROLL_FORMAT.md), its marked file too
    assert marked.worksheets[0]["C4"].comment.text.endswith("wrong check character")
    assert marked["errors"].max_row == 4  # header, message, two errors


def test_dry_run(sheet, province):
    code, out, _ = command(sheet([row(1)]), "--dry-run")
    assert code == 0 and out.splitlines()[0] == "created 1, updated 0, unchanged 0 (dry run, nothing written)"
    assert Officer.objects.count() == 0


def test_unusable_file_or_arguments_exit_2(sheet, province, tmp_path, county_user):
    assert command(tmp_path / "missing.xlsx")[0] == 2
    code, _, err = command(sheet([["甲", "男", person(1)]], header=["姓名", "性别", "身份证号"]))
    assert code == 2 and "所属单位" in err
    bad = tmp_path / "old.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0garbage")
    code, _, err = command(bad)
    assert code == 2 and "save as .xlsx" in err
    assert command(sheet([row(1)]), "--user", "nobody")[0] == 2
    code, _, err = command(sheet([row(1)]), "--user", county_user.username)
    assert code == 2 and "import the roll" in err
    assert Officer.objects.count() == 0


def test_user_scope_and_not_in_sheet(sheet, org, make_user):
    changsha = make_user("city", "430100", username="cs-keeper")
    OfficerFactory(unit=org["430121"], name="表外人")
    OfficerFactory(unit=org["430200"], id_number=person(9))
    code, out, err = command(sheet([row(1), row(9)]), "--user", "cs-keeper")
    assert code == 1 and "belongs to another unit; transfers between cities go through the province" in err
    code, out, err = command(sheet([row(1)]), "--user", changsha.username)
    assert code == 0
    assert out.splitlines()[1] == "not in this sheet: 1 officers of its units"
    assert "表外人" in out.splitlines()[2]
