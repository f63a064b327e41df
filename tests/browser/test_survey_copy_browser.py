"""On a phone, "everything as in the last survey" with one item changed: the browser posts that one item's
fields (not a field per item), the service fills the other 39; a later change posts only that item again."""

import datetime
import re

import pytest

from .conftest import PHONE, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
N = 40


def field_names(request) -> list[str]:
    """The names of the fields a (multipart) form post carried."""
    body = request.post_data_buffer or b""
    return re.findall(r'name="([^"]+)"', body.decode("utf-8", "replace"))


def test_copy_last_on_a_phone_posts_only_the_changes(
    phone, live_server, org, province_user, county_user, make_user
):
    from assets import equipment_services as services
    from assets.equipment_choices import StationClass
    from assets.equipment_demo import load_reference
    from assets.equipment_models import EquipmentType, SurveyEntry
    from tests.assets.equipment_fixtures import add_item

    load_reference()
    cam = EquipmentType.objects.get(code="BODYCAM")
    st = services.station_create(
        actor=None, parent=org["430121"], name="星沙服务站", station_class=StationClass.SERVICE_STATION
    )
    items = [add_item(st, cam, f"K-CAM-{n:02d}") for n in range(N)]
    org[st.code] = st
    keeper = make_user("county", st.code)
    deadline = datetime.date(2099, 1, 31)
    last = services.survey_open(actor=province_user, name="2025年清查", deadline=deadline)
    services.survey_grade(
        actor=keeper, survey=last, station=st, grades=[{"item_id": i.pk, "condition": "good"} for i in items]
    )
    services.survey_submit(actor=keeper, survey=last, station=st)
    services.survey_confirm(actor=county_user, survey=last, station=st)
    services.survey_close(actor=province_user, survey=last)
    survey = services.survey_open(actor=province_user, name="2026年清查", deadline=deadline)

    page, _watch = phone
    login(page, live_server, keeper)
    page.goto(f"{live_server.url}/stations/{st.code}/survey/")
    assert page.locator("[data-testid=last-condition]").count() == N
    page.check(f"input[name=condition_{items[7].pk}][value=needs_repair]")
    page.fill(f"input[name=note_{items[7].pk}]", "镜头裂")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "83-survey-copy-last-phone")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("[data-testid=copy-last-submit]")
    names = field_names(posted.value)
    assert sorted(names) == sorted(
        ["csrfmiddlewaretoken", "action", f"condition_{items[7].pk}", f"note_{items[7].pk}"]
    ), names
    page.wait_for_selector(".messages")
    got = dict(
        SurveyEntry.objects.filter(survey_return__survey=survey).values_list("item__asset_tag", "condition")
    )
    assert len(got) == N and got["K-CAM-07"] == "needs_repair"
    assert sum(1 for c in got.values() if c == "good") == N - 1
    assert page.locator("[data-testid=copy-last]").count() == 0  # nothing left to copy
    # a change afterwards: again that one item only (its row: the grade and its note)
    page.check(f"input[name=condition_{items[3].pk}][value=fair]")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.click("[data-testid=survey-save]")
    assert sorted(field_names(posted.value)) == sorted(
        ["csrfmiddlewaretoken", "action", f"condition_{items[3].pk}", f"note_{items[3].pk}"]
    )
    page.wait_for_selector(".messages")
    assert SurveyEntry.objects.get(survey_return__survey=survey, item=items[3]).condition == "fair"
