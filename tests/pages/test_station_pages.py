"""The station pages with Django's test client: the survey form (grades, photo, submit), bad grades change
nothing, the station page, the gaps list, scope (another city's station → 404) and the start block."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets import equipment_services as services
from assets.equipment_models import SurveyEntry, SurveyPhoto, SurveyReturn
from tests.assets.equipment_fixtures import add_item, media, reference, station_user, stations  # noqa: F401

pytestmark = pytest.mark.django_db


def text(resp) -> str:
    return resp.content.decode()


@pytest.fixture
def survey(province_user, reference, stations):
    s = stations["cs1"]
    items = [add_item(s, reference["BODYCAM"], "P-CAM-1"), add_item(s, reference["PC"], "P-PC-1")]
    sv = services.survey_open(actor=province_user, name="2026年清查", deadline=datetime.date(2099, 1, 31))
    return sv, s, items


def png():
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    return SimpleUploadedFile("p.png", buf.getvalue(), content_type="image/png")


def test_station_grades_submits_and_station_page_shows_it(browse, station_user, survey, media):
    sv, st, items = survey
    c = browse(station_user)
    assert 'data-block="surveys_open"' in text(c.get("/"))
    url = f"/stations/{st.code}/survey/"
    page = c.get(url)
    assert page.status_code == 200 and 'type="radio"' in text(page) and "P-CAM-1" in text(page)
    # a bad condition: nothing saved
    bad = c.post(url, {"action": "save", f"condition_{items[0].pk}": "shiny"})
    assert bad.status_code == 400 and not SurveyEntry.objects.exists()
    ok = c.post(
        url,
        {
            "action": "save",
            f"condition_{items[0].pk}": "good",
            f"condition_{items[1].pk}": "needs_repair",
            f"note_{items[1].pk}": "屏幕坏",
            f"photo_{items[1].pk}": png(),
        },
    )
    assert ok.status_code == 302
    assert SurveyEntry.objects.count() == 2 and SurveyPhoto.objects.count() == 1
    assert c.post(url, {"action": "submit"}).status_code == 302
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "submitted"
    assert c.get(f"/stations/{st.code}/").status_code == 200


def test_submit_refused_while_ungraded(browse, station_user, survey):
    sv, st, _items = survey
    resp = browse(station_user).post(f"/stations/{st.code}/survey/", {"action": "submit"})
    assert resp.status_code in (400, 409) and 'data-testid="survey-error"' in text(resp)
    assert SurveyReturn.objects.get(survey=sv, station=st).status == "draft"


def test_scope_and_lists(browse, zhuzhou_user, changsha_user, province_user, survey):
    _sv, st, _items = survey
    assert browse(zhuzhou_user).get(f"/stations/{st.code}/").status_code == 404
    assert browse(zhuzhou_user).get(f"/stations/{st.code}/survey/").status_code == 404
    assert st.name not in text(browse(zhuzhou_user).get("/stations/"))
    assert st.name in text(browse(changsha_user).get("/stations/"))
    gaps = browse(province_user).get("/stations/gaps/?unit=430100")
    assert gaps.status_code == 200 and 'data-testid="gaps-total"' in text(gaps)
    assert browse(zhuzhou_user).get("/stations/gaps/?unit=430100").status_code == 404
    assert browse(None).get("/stations/").status_code == 302
