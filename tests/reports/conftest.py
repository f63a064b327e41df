import io

import pytest
from pypdf import PdfReader

from assets.catalog import load_catalog
from tests.personnel.factories import OfficerFactory


@pytest.fixture
def catalog(db):
    load_catalog()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_PDF_WORKERS = 1  # keep tests on one core; the pool is exercised in test_pdf
    return settings.MEDIA_ROOT


@pytest.fixture
def roll(org, catalog):
    """A few officers with Chinese names in Changsha (city bureau and 长沙县) and Zhuzhou."""
    return {
        "cs": [OfficerFactory(unit=org["430100"], name=n) for n in ("张伟", "李娜")],
        "csx": [
            OfficerFactory(
                unit=org["430121"],
                name="王芳",
                gender="F",
                height_cm=160,
                chest_cm=84,
                waist_cm=68,
                head_cm=55,
                foot_mm=232,
            )
        ],
        "zz": [OfficerFactory(unit=org["430200"], name="赵强")],
        "ineligible": [OfficerFactory(unit=org["430100"], name="钱退休", status="retired")],
    }


def pdf_pages_text(data: bytes) -> list[str]:
    return [p.extract_text() for p in PdfReader(io.BytesIO(data)).pages]
