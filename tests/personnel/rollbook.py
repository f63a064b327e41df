"""Build roll workbooks the way cities send them, for the import tests."""

import datetime
import io

import openpyxl

from personnel.ids import make

HEADER = [
    "姓名",
    "性别",
    "身份证号",
    "执法证号",
    "所属单位",
    "岗位",
    "人员状态",
    "身高(cm)",
    "胸围(cm)",
    "腰围(cm)",
    "头围(cm)",
    "脚长(mm)",
    "测量日期",
    "联系电话",
    "备注",
]


def person(n: int, gender: str = "M", region: str = "430102") -> str:
    """A valid ID number, different for each n."""
    return make(region, datetime.date(1980, 1, 1) + datetime.timedelta(days=n), n % 100, gender)


def row(n: int, unit="430121", **over) -> list:
    """One data row in HEADER order; keyword arguments by header replace cells."""
    gender = over.pop("gender", "M")
    cells = {
        "姓名": f"测试{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{'一二三四五六七八九十'[n // 10 % 10]}",
        "性别": "男" if gender == "M" else "女",
        "身份证号": person(n, gender),
        "执法证号": f"4300{n:06d}",
        "所属单位": unit,
        "岗位": "执法队员",
        "人员状态": "在岗",
        "身高(cm)": 172,
        "胸围(cm)": 92,
        "腰围(cm)": 78,
        "头围(cm)": 57,
        "脚长(mm)": 255,
        "测量日期": datetime.date(2026, 9, 1),
        "联系电话": f"1380000{n:04d}",
        "备注": "",
    }
    cells.update(over)
    return [cells.get(h) for h in HEADER]


def book(
    rows,
    header=None,
    *,
    titles=("长沙市交通运输综合行政执法支队 人员花名册", "填报日期：2026年10月"),
    merge_titles=True,
    sheet="花名册",
    text_ids=True,
) -> bytes:
    header = header or HEADER
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for t in titles:
        ws.append([t])
        if merge_titles:
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=len(header))
    ws.append(list(header))
    for r in rows:
        ws.append(list(r) if r is not None else [])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header_row(titles=2) -> int:
    return titles + 1
