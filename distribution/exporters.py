"""Spreadsheets out: the badge list for the supplier, the progress table."""

import csv
import io

from django.utils.translation import gettext, pgettext
from openpyxl import Workbook

from core.xlsx_text import csv_safe

from .selectors import CSV_HEADER

BADGE_HEADER = ["number", "name", "unit", "gender"]


def _gender(letter: str) -> str:
    return {"M": gettext("男"), "F": gettext("女")}.get(letter, letter)


def badge_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(BADGE_HEADER)
    for r in rows:
        w.writerow([csv_safe(r["number"]), csv_safe(r["name"]), csv_safe(r["unit"]), _gender(r["gender"])])
    return buf.getvalue()


def badge_xlsx(rows: list[dict]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(pgettext("badges", "胸号"))
    ws.append([pgettext("number", "胸号"), pgettext("name", "姓名"), gettext("单位"), gettext("性别")])
    for r in rows:
        ws.append([r["number"], r["name"], r["unit"], _gender(r["gender"])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def progress_csv(rows: list[dict], out=None) -> str | None:
    buf = out or io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_HEADER, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: csv_safe(r[k]) for k in CSV_HEADER})
    return None if out else buf.getvalue()
