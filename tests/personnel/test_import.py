"""The roll import service, rule by rule of ROLL_FORMAT.md."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone, translation
from stdnum.cn import ric

from core.errors import Forbidden, QMError
from core.history import history_for
from core.models import ChangeRecord
from personnel import services
from personnel.importers import header_key, parse_roll
from personnel.models import Officer
from personnel.services import roll_import

from .factories import OfficerFactory
from .rollbook import HEADER, book, person, row

FIRST = 4  # two title rows, the header on row 3, data from row 4


def run(user, data, dry_run=False, filename="花名册.xlsx"):
    return roll_import(actor=user, file=data, filename=filename, dry_run=dry_run)


def errors_of(report):
    return [(e.row, e.column, e.code) for e in report.errors]


def one_error(user, cells, **kw):
    """Import one row with the given cells; return its single error (asserting nothing was written)."""
    report = run(user, book([row(1, **cells)], **kw))
    assert not report.imported and Officer.objects.count() == 0
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


# ---- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,key",
    [
        ("身份证号", "id_number"),
        ("身份证号码(18位)", "id_number"),
        (" 公民身份号码 ", "id_number"),
        ("身 份 证 号", "id_number"),
        ("身高（cm）", "height_cm"),
        ("身高(cm)", "height_cm"),
        ("身高", "height_cm"),
        ("身高(厘米)", "height_cm"),
        ("鞋码", "foot"),
        ("鞋号(欧码)", "foot"),
        ("脚长（mm）", "foot"),
        ("单位", "unit"),
        ("单位名称", "unit"),
        ("职务", "post"),
        ("所属单位（全称）", "unit"),
        ("序号", None),
        ("身份证号码码", None),
        ("出生日期", None),
        ("", None),
        (12, None),
    ],
)
def test_header_matching(text, key):
    assert header_key(text) == key


def test_title_rows_merged_unknown_columns_and_aliases(org, province_user):
    header = [
        "序号",
        "姓 名",
        "性别",
        "身份证号码（18位）",
        "单位名称",
        "职务",
        "身高（cm）",
        "鞋码",
        "出生年月",
    ]
    data = book([[1, "王 伟", "男", person(1), "430121", "中队长", "175cm", "42码", "1980.01"]], header)
    report = run(province_user, data)
    assert report.imported and report.created == 1 and report.header_row == 3
    officer = Officer.objects.get()
    assert (officer.name, officer.post, officer.height_cm, officer.foot_mm, officer.shoe_eu) == (
        "王伟",
        "中队长",
        Decimal("175"),
        Decimal("260"),
        Decimal("42"),
    )
    assert officer.status == "serving" and officer.unit.code == "430121"


def test_missing_required_column_refuses_the_file(org, province_user):
    header = [h for h in HEADER if h != "所属单位"]
    with pytest.raises(QMError) as exc:
        run(province_user, book([row(1)[:4] + row(1)[5:]], header))
    assert exc.value.code == "missing_column" and "所属单位" in exc.value.message
    assert exc.value.details["columns"] == ["所属单位"]
    assert Officer.objects.count() == 0


def test_no_header_row(org, province_user):
    with pytest.raises(QMError) as exc:
        run(province_user, book([row(1)], ["姓名", "性别", "证件", "所属单位"]))
    assert exc.value.code == "no_header" and "身份证号" in exc.value.message


def test_same_column_twice_is_a_file_error(org, province_user):
    with pytest.raises(QMError) as exc:
        run(province_user, book([row(1) + [255]], HEADER + ["鞋码"]))
    assert exc.value.code == "duplicate_column"


def test_not_an_excel_file(org, province_user):
    with pytest.raises(QMError) as exc:
        run(province_user, b"a,b\n1,2\n", filename="roll.csv")
    assert exc.value.code == "bad_file_type"
    with pytest.raises(QMError) as exc:
        run(province_user, b"\xd0\xcf\x11\xe0 not really a workbook", filename="roll.xls")
    assert exc.value.code == "save_as_xlsx" and "另存为 .xlsx" in exc.value.message
    with pytest.raises(QMError) as exc:
        run(province_user, b"PK garbage", filename="roll.xlsx")
    assert exc.value.code == "unreadable_file"


# ---- ID numbers -----------------------------------------------------------------------------------


def test_id_typed_as_a_number_is_an_error_never_a_guess(org, province_user):
    err = one_error(province_user, {"身份证号": 430102198001021234})
    assert err.code == "id_as_number" and err.reason == "身份证号被存为数字，末几位已丢失，请设为文本重填"
    assert (err.row, err.column, err.cell) == (FIRST, "身份证号", f"C{FIRST}")
    assert err.value == "4.30102E+17"
    assert one_error(province_user, {"身份证号": "4.30102E+17"}).code == "id_as_number"


def test_full_width_spaces_and_lower_case_x_are_normalised(org, province_user):
    number, lower_x = [person(n) for n in range(300) if person(n).endswith("X")][:2]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number[:-1]) + "ｘ"
    other = person(3)
    report = run(
        province_user,
        book(
            [
                row(1, **{"身份证号": f" {full_width} ", "姓名": "李　娜", "性别": " 男 "}),
                row(3, **{"身份证号": f"{other[:6]} {other[6:14]} {other[14:]}"}),
                row(5, **{"身份证号": lower_x.lower()}),
                row(7, **{"身份证号": "'" + person(7)}),
            ]
        ),
    )
    assert report.imported, report.errors
    assert set(Officer.objects.values_list("id_number", flat=True)) == {number, other, lower_x, person(7)}
    assert Officer.objects.get(id_number=number).name == "李娜"


def test_wrong_check_character(org, province_user):
    good = person(1)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    err = one_error(province_user, {"身份证号": bad})
    assert err.code == "id_check_character" and err.value == bad
    assert err.line() == f"row {FIRST}, 身份证号, {bad[:10]}…: 校验码错误"


def test_wrong_length_and_characters(org, province_user):
    assert one_error(province_user, {"身份证号": person(1)[:17]}).code == "id_length"
    assert one_error(province_user, {"身份证号": "43010219800101A23X"}).code == "bad_id_number"


def test_birth_date_inside_must_be_real(org, province_user):
    body = "43010219800230123"  # 30 February
    err = one_error(province_user, {"身份证号": body + ric.calc_check_digit(body + "0")})
    assert err.code == "id_birth_date"


def test_sex_digit_must_agree_with_gender(org, province_user):
    err = one_error(province_user, {"性别": "女"})  # person(1) is a man's number
    assert err.code == "id_gender" and err.column == "身份证号" and "性别" in err.reason


def test_duplicate_in_the_sheet_is_an_error_on_the_second_row(org, province_user):
    report = run(province_user, book([row(1), row(2), row(1, **{"姓名": "重复"})]))
    assert errors_of(report) == [(FIRST + 2, "身份证号", "duplicate")]
    assert str(FIRST) in report.errors[0].reason and Officer.objects.count() == 0


# ---- other columns --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cells,column,code",
    [
        ({"姓名": ""}, "姓名", "required"),
        ({"姓名": "张" * 31}, "姓名", "bad_name"),
        ({"性别": "M"}, "性别", "bad_gender"),
        ({"性别": None}, "性别", "required"),
        ({"所属单位": "长沙市交通局"}, "所属单位", "unknown_unit"),
        ({"所属单位": "439999"}, "所属单位", "unknown_unit"),
        ({"人员状态": "在职"}, "人员状态", "bad_status"),
        ({"身高(cm)": 250}, "身高(cm)", "out_of_range"),
        ({"身高(cm)": "175mm"}, "身高(cm)", "out_of_range"),
        ({"身高(cm)": "175码"}, "身高(cm)", "bad_unit"),
        ({"胸围(cm)": "abc"}, "胸围(cm)", "not_a_number"),
        ({"腰围(cm)": 49}, "腰围(cm)", "out_of_range"),
        ({"腰围(cm)": 80.25}, "腰围(cm)", "too_precise"),
        ({"头围(cm)": 70}, "头围(cm)", "out_of_range"),
        ({"脚长(mm)": 42.3}, "脚长(mm)", "out_of_range"),
        ({"脚长(mm)": 255.25}, "脚长(mm)", "too_precise"),
        ({"脚长(mm)": 150}, "脚长(mm)", "out_of_range"),
        ({"脚长(mm)": "33码"}, "脚长(mm)", "out_of_range"),
        ({"脚长(mm)": "330mm"}, "脚长(mm)", "out_of_range"),
        ({"测量日期": "2026-02-30"}, "测量日期", "bad_date"),
        ({"测量日期": "上个月"}, "测量日期", "bad_date"),
        ({"测量日期": "2099-01-01"}, "测量日期", "bad_date"),
        ({"联系电话": "12345"}, "联系电话", "bad_phone"),
        ({"联系电话": "23800000001"}, "联系电话", "bad_phone"),
        ({"联系电话": 138000000012}, "联系电话", "bad_phone"),
        ({"执法证号": 4.3e17}, "执法证号", "stored_as_number"),
        ({"岗位": "岗" * 51}, "岗位", "too_long"),
        ({"备注": "注" * 501}, "备注", "too_long"),
    ],
)
def test_each_cell_error_names_row_column_value_and_reason(org, province_user, cells, column, code):
    err = one_error(province_user, cells)
    assert (err.row, err.column, err.code) == (FIRST, column, code)
    assert err.reason and any("\u4e00" <= ch <= "\u9fff" for ch in err.reason), "Chinese by default"
    with translation.override("en"):
        err_en = one_error(province_user, cells)
    assert err_en.code == code and err_en.reason[0].isascii(), "English when the user switched"
    value = next(iter(cells.values()))
    if value not in ("", None):
        assert err.value.startswith(str(value)[:3]) or err.value == "4.3E+17"


def test_error_column_is_the_header_as_written(org, province_user):
    header = [h if h != "身份证号" else "公民身份号码 (18位)" for h in HEADER]
    report = run(province_user, book([row(1, **{"身份证号": "123"})], header))
    assert report.errors[0].column == "公民身份号码 (18位)"


def test_values_as_cities_type_them(org, province_user):
    report = run(
        province_user,
        book(
            [
                row(
                    1,
                    **{
                        "身高(cm)": "175cm",
                        "胸围(cm)": "88.5",
                        "腰围(cm)": " 76 厘米",
                        "头围(cm)": "570mm",
                        "脚长(mm)": "42.5",
                        "测量日期": "2026年9月5日",
                        "联系电话": "138-0000-0001",
                        "执法证号": 4300012345.0,
                        "人员状态": "借调",
                        "所属单位": "长沙县交通运输综合行政执法大队",
                    },
                ),
                row(
                    2,
                    **{
                        "脚长(mm)": "25.5cm",
                        "测量日期": "2026/9/6",
                        "联系电话": 13800000002,
                        "所属单位": 430100,
                    },
                ),
                row(3, **{"脚长(mm)": "42码", "测量日期": "20260907"}),
            ]
        ),
    )
    assert report.imported, report.errors
    a, b, c = (Officer.objects.get(id_number=person(n)) for n in (1, 2, 3))
    assert (a.height_cm, a.chest_cm, a.waist_cm, a.head_cm) == (175, Decimal("88.5"), 76, 57)
    assert (a.foot_mm, a.shoe_eu, a.measured_on) == (
        Decimal("262.5"),
        Decimal("42.5"),
        datetime.date(2026, 9, 5),
    )
    assert (a.phone, a.certificate_number, a.status, a.unit.code) == (
        "13800000001",
        "4300012345",
        "seconded",
        "430121",
    )
    assert (b.foot_mm, b.shoe_eu, b.phone, b.unit.code) == (255, None, "13800000002", "430100")
    assert (c.foot_mm, c.shoe_eu, c.measured_on) == (260, 42, datetime.date(2026, 9, 7))


def test_measurements_without_a_date_get_the_import_date(org, province_user):
    run(
        province_user,
        book(
            [
                row(1, **{"测量日期": None}),
                row(
                    2,
                    **{
                        "测量日期": None,
                        "身高(cm)": None,
                        "胸围(cm)": None,
                        "腰围(cm)": None,
                        "头围(cm)": None,
                        "脚长(mm)": None,
                    },
                ),
            ]
        ),
    )
    assert Officer.objects.get(id_number=person(1)).measured_on == timezone.localdate()
    assert Officer.objects.get(id_number=person(2)).measured_on is None


def test_blank_and_total_rows_are_ignored(org, province_user):
    rows = [
        row(1),
        None,
        ["", None, "  "],
        row(2),
        None,
        ["合计", None, None, None, "2人"],
        [None, "总计：2"],
        None,
    ]
    report = run(province_user, book(rows))
    assert report.imported and report.created == 2 and report.rows == 2 and not report.errors


def test_city_sheet_fills_rows_across_header_gaps(org, province_user):
    """Rows shorter than the header (trailing cells empty) read as blanks."""
    report = run(province_user, book([row(1)[:5]]))
    assert report.imported and Officer.objects.get().height_cm is None


# ---- all or nothing, dry run, idempotence, history ------------------------------------------------


def test_all_or_nothing_and_every_error_reported(org, province_user):
    report = run(province_user, book([row(1), row(2, **{"性别": "X"}), row(3), row(4, **{"联系电话": "1"})]))
    assert not report.imported and errors_of(report) == [
        (FIRST + 1, "性别", "bad_gender"),
        (FIRST + 3, "联系电话", "bad_phone"),
    ]
    assert Officer.objects.count() == 0 and ChangeRecord.objects.filter(note="花名册导入").count() == 0


def test_dry_run_reports_the_same_and_writes_nothing(org, province_user):
    data = book([row(1), row(2)])
    dry = run(province_user, data, dry_run=True)
    assert (dry.created, dry.imported, dry.dry_run) == (2, False, True) and Officer.objects.count() == 0
    real = run(province_user, data)
    assert real.as_dict() | {"dry_run": True, "imported": False} == dry.as_dict()
    bad = book([row(1), row(2, **{"性别": "X"})])
    assert errors_of(run(province_user, bad, dry_run=True)) == errors_of(run(province_user, bad))


def test_same_file_twice_changes_nothing(org, province_user):
    data = book([row(n, **({"测量日期": None} if n % 2 else {})) for n in range(1, 6)])
    first = run(province_user, data)
    assert first.created == 5 and ChangeRecord.objects.filter(action="create", note="花名册导入").count() == 5
    before = list(Officer.objects.order_by("pk").values())
    n_records = ChangeRecord.objects.count()
    second = run(province_user, data)
    assert (second.created, second.updated, second.unchanged, second.transferred) == (0, 0, 5, 0)
    assert second.summary() == "created 0, updated 0, unchanged 5"
    assert (
        list(Officer.objects.order_by("pk").values()) == before and ChangeRecord.objects.count() == n_records
    )


def test_changed_row_updates_and_is_recorded(org, province_user):
    run(province_user, book([row(1), row(2)]))
    officer = Officer.objects.get(id_number=person(1))
    report = run(province_user, book([row(1, **{"岗位": "中队长", "身高(cm)": 173}), row(2)]))
    assert (report.updated, report.unchanged) == (1, 1)
    officer.refresh_from_db()
    assert officer.post == "中队长" and officer.height_cm == 173
    record = history_for(officer).filter(action="update").get()
    assert record.changes == {"post": ["执法队员", "中队长"], "height_cm": ["172.0", "173.0"]}
    assert record.actor == province_user and record.note == "花名册导入"


def test_blank_cells_never_erase(org, province_user):
    run(province_user, book([row(1, **{"人员状态": "借调", "备注": "老兵"})]))
    blanks = {h: None for h in HEADER if h not in ("姓名", "性别", "身份证号", "所属单位")}
    report = run(province_user, book([row(1, **blanks)]))
    assert report.unchanged == 1
    officer = Officer.objects.get()
    assert (officer.status, officer.remarks, officer.height_cm, officer.phone) == (
        "seconded",
        "老兵",
        172,
        "13800000001",
    )


def test_an_upload_never_removes_and_lists_who_is_not_in_the_sheet(org, province_user):
    stay = OfficerFactory(unit=org["430121"], name="未在表中")
    OfficerFactory(unit=org["430121"], name="已退休", status="retired")
    OfficerFactory(unit=org["430112"], name="别的单位")
    report = run(province_user, book([row(1)]))
    assert report.imported and Officer.objects.filter(pk=stay.pk).exists()
    assert [(o["name"], o["unit_code"]) for o in report.not_in_sheet] == [("未在表中", "430121")]
    assert report.not_in_sheet[0]["id_number"] == stay.id_number[:6] + "********" + stay.id_number[-4:]


def test_status_change_follows_transitions_and_is_recorded(
    org, province_user, django_capture_on_commit_callbacks
):
    seen = []
    services.on_status_change(seen.append)
    try:
        retired = OfficerFactory(unit=org["430121"], status="retired", id_number=person(2))
        serving = OfficerFactory(unit=org["430121"], id_number=person(1))
        refused = run(province_user, book([row(1, **{"人员状态": "离职"}), row(2, **{"人员状态": "在岗"})]))
        assert errors_of(refused) == [(FIRST + 1, "人员状态", "bad_transition")]
        with django_capture_on_commit_callbacks(execute=True):
            report = run(province_user, book([row(1, **{"人员状态": "离职"})]))
        serving.refresh_from_db()
        assert report.imported and serving.status == "left" and seen == [serving]
        assert history_for(serving).filter(action="status").get().changes == {"status": ["serving", "left"]}
        retired.refresh_from_db()
        assert retired.status == "retired"
    finally:
        services._status_hooks.remove(seen.append)


# ---- scope ----------------------------------------------------------------------------------------


def test_county_staff_and_auditors_may_not_import(org, county_user, auditor_user):
    for user in (county_user, auditor_user):
        with pytest.raises(Forbidden):
            run(user, book([row(1)]))


def test_city_user_imports_only_own_city(org, changsha_user):
    report = run(changsha_user, book([row(1, **{"所属单位": "430200"}), row(2)]))
    assert errors_of(report) == [(FIRST, "所属单位", "unit_out_of_scope")] and Officer.objects.count() == 0


def test_other_citys_officer_is_an_error_for_a_city_user(org, changsha_user):
    theirs = OfficerFactory(unit=org["430200"], name="株洲人", id_number=person(1))
    report = run(changsha_user, book([row(1, **{"所属单位": "430121"})]))
    (err,) = report.errors
    assert err.code == "other_city" and err.column == "身份证号"
    assert err.reason == "属于其他单位；跨市州调动须由省厅办理"
    assert "株洲" not in err.reason and "株洲人" not in err.reason
    theirs.refresh_from_db()
    assert theirs.unit.code == "430200"


def test_province_moves_an_officer_between_cities_as_a_transfer(org, province_user):
    officer = OfficerFactory(unit=org["430200"], id_number=person(1), name=row(1)[0], post="执法队员")
    report = run(province_user, book([row(1, **{"所属单位": "430121"})]))
    assert (report.transferred, report.updated, report.imported) == (1, 0, True)
    assert report.summary().endswith("transferred 1")
    officer.refresh_from_db()
    assert officer.unit.code == "430121"
    record = history_for(officer).get(action="transfer")
    assert record.changes == {"unit": [org["430200"].pk, org["430121"].pk]}


def test_city_user_moves_within_own_city(org, changsha_user):
    officer = OfficerFactory(unit=org["430100"], id_number=person(1))
    report = run(changsha_user, book([row(1)]))
    officer.refresh_from_db()
    assert report.transferred == 1 and officer.unit.code == "430121"
    assert history_for(officer).filter(action="transfer", actor=changsha_user).exists()


def test_parse_only_has_no_database(org):
    parsed = parse_roll(book([row(1), row(2, **{"性别": "?"})]), "x.xlsx")
    assert [r.row for r in parsed.rows] == [FIRST, FIRST + 1] and len(parsed.errors) == 1


def test_error_workbook_marks_cells_and_lists_errors(org, province_user):
    from personnel.importers import MARK_FILL, error_workbook

    data = book([row(1), row(2, **{"性别": "X", "联系电话": "1"})])
    report = run(province_user, data)
    out = openpyxl.load_workbook(io.BytesIO(error_workbook(data, "x.xlsx", report.errors)))
    sheet = out.worksheets[0]
    cell = sheet.cell(row=FIRST + 1, column=2)
    assert cell.value == "X" and cell.fill.fgColor.rgb.endswith(MARK_FILL) and "男或女" in cell.comment.text
    assert sheet.cell(row=FIRST, column=2).comment is None
    assert sheet["A1"].value.startswith("长沙市")  # the title rows are kept
    listing = out["错误"]
    assert [c.value for c in listing[2]][:3] == [FIRST + 1, "性别", f"B{FIRST + 1}"]
    assert listing.max_row == 3


def test_bulk_creation_records_match_build_record(org, province_user):
    """The import writes creation records in bulk; they must say what core.history.build_record says."""
    from core.history import build_record

    run(province_user, book([row(1, **{"备注": "x", "脚长(mm)": "42码"}), row(2, **{"身高(cm)": None})]))
    for officer in Officer.objects.all():
        record = history_for(officer).get()
        expected = build_record(actor=province_user, obj=officer, action="create", note="花名册导入")
        assert record.changes == expected.changes and record.action == "create"
        assert (record.actor, record.actor_name, record.object_repr, record.note) == (
            province_user,
            province_user.username,
            officer.name,
            expected.note,
        )
        assert record.created_at is not None and officer.created_at is not None
