import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from .conftest import pdf_pages_text


def test_render_report_writes_the_file_as_the_user(roll, media, changsha_user, tmp_path, capsys):
    out = tmp_path / "cs.xlsx"
    call_command(
        "render_report",
        "sign-for-sheets",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--user",
        changsha_user.username,
    )
    names = {
        r[2] for ws in load_workbook(out).worksheets[:-1] for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert names == {"张伟", "李娜", "王芳"}
    captured = capsys.readouterr()
    assert "3 rows" in captured.out and "%" in captured.err  # the progress bar goes to stderr


def test_render_report_pdf_for_a_county(roll, media, province_user, tmp_path):
    out = tmp_path / "c.pdf"
    call_command(
        "render_report",
        "sign-for-sheets",
        "--county",
        "430121",
        "--out",
        str(out),
        "--user",
        province_user.username,
    )
    text = "\n".join(pdf_pages_text(out.read_bytes()))
    assert "王芳" in text and "张伟" not in text and "第 1 页" in text


@pytest.mark.parametrize(
    "args, message",
    [
        (["no-such-kind"], "未知报表类型"),
        (["sign-for-sheets", "--city", "439999"], "不存在"),
        (["sign-for-sheets", "--param", "oops"], "KEY=VALUE"),
    ],
)
def test_render_report_bad_input(roll, province_user, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command(
            "render_report", *args, "--out", str(tmp_path / "x.pdf"), "--user", province_user.username
        )
    assert not (tmp_path / "x.pdf").exists()
