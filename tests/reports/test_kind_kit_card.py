import datetime

import pytest
from django.core.management import call_command

from core.errors import NotFound
from distribution import services as dsvc
from reports.kinds import kit_card
from reports.services import render_to_path
from tests.distribution.conftest import bring_to_county, kit_lines
from tests.personnel.factories import OfficerFactory

from .conftest import pdf_pages_text


@pytest.fixture
def issued(org, catalog, province_user, changsha_user, county_user):
    officer = OfficerFactory(unit=org["430121"], name="王芳")
    bring_to_county(org, province_user, changsha_user, county_user, kit_lines(officer))
    dsvc.kit_issue(actor=county_user, unit=org["430121"], signed_on=datetime.date(2026, 11, 2))
    dsvc.badge_assign(actor=province_user)
    return officer


def test_card_rows_and_pdf(province_user, issued, media, tmp_path):
    out = tmp_path / "k.pdf"
    data = render_to_path(
        user=province_user, kind="kit-card", fmt="pdf", params={"officer": issued.pk}, out=out
    )
    # the whole kit except the badge-number pieces (issued only once a badge number exists)
    held = sum(x["quantity"] for x in kit_lines(issued) if not x["item"].startswith("INS-NUMBER"))
    assert data.meta["pieces"] == sum(r[3] for r in data.sections[0].rows) == held
    assert data.meta["badge"].isdigit() and len(data.meta["badge"]) == 6
    first = data.sections[0].rows[0]
    issued_on = datetime.date.fromisoformat(first[4])
    assert first[5] > first[4]  # due after issued
    text = "".join(pdf_pages_text(out.read_bytes()))
    assert "王芳" in text and "个人被装卡" in text and "长沙县" in text and first[1] in text
    assert data.meta["badge"] in text and issued_on.isoformat() in text
    assert "本人签字" in text


def test_badge_numbers_provider(issued):
    from distribution.selectors import badge_numbers

    other = OfficerFactory(unit=issued.unit, name="无号")
    numbers = badge_numbers([issued.pk, other.pk])
    assert list(numbers) == [issued.pk] and len(numbers[issued.pk]) == 6


def test_empty_card(county_user, org, catalog, media, tmp_path):
    officer = OfficerFactory(unit=org["430121"], name="李娜")
    out = tmp_path / "e.pdf"
    data = render_to_path(
        user=county_user, kind="kit-card", fmt="pdf", params={"officer": officer.pk}, out=out
    )
    assert data.sections[0].rows == [] and data.meta["badge"] == "未分配"
    assert "尚无发放记录" in "".join(pdf_pages_text(out.read_bytes()))


def test_other_city_officer_is_404(zhuzhou_user, issued):
    with pytest.raises(NotFound):
        kit_card.collect(zhuzhou_user, kit_card.KitCardParams(officer=issued.pk))


def test_command(issued, media, tmp_path, province_user):
    out = tmp_path / "cmd.pdf"
    call_command("render_report", "kit-card", "--officer", str(issued.pk), "--out", str(out))
    assert "王芳" in "".join(pdf_pages_text(out.read_bytes()))
