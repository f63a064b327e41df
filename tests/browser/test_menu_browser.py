"""The header's menu button on a phone (390 px): the links are hidden until it is pressed, then all shown
inside the screen; aria-expanded follows; its label is in the active language; without scripts the links
wrap under the header, every one reachable and none cut off on the right."""

import pytest

from .conftest import PC, PHONE, login, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def nav_links(page):
    return page.locator("nav.mainnav a")


def inside_the_screen(page) -> list[str]:
    """The links whose box sticks out on the right (none expected)."""
    out = []
    for i in range(nav_links(page).count()):
        box = nav_links(page).nth(i).bounding_box()
        assert box is not None, "a link is not shown"
        if box["x"] + box["width"] > PHONE["width"] or box["x"] < 0:
            out.append(nav_links(page).nth(i).inner_text())
    return out


def test_menu_button_on_a_phone(phone, live_server, province_user):
    page, _watch = phone
    login(page, live_server, province_user)
    button = page.locator("[data-testid=menu-toggle]")
    assert button.is_visible() and button.evaluate("b => b.tagName") == "BUTTON"
    assert button.get_attribute("aria-controls") == "mainnav"
    assert button.get_attribute("aria-expanded") == "false"
    assert "菜单" in button.inner_text()
    n = nav_links(page).count()
    assert n >= 5 and all(not nav_links(page).nth(i).is_visible() for i in range(n))
    shot(page, "80-menu-closed-phone")
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    assert all(nav_links(page).nth(i).is_visible() for i in range(n))
    assert inside_the_screen(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "81-menu-open-phone")
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not nav_links(page).first.is_visible()
    button.click()
    nav_links(page).filter(has_text="车辆").click()
    page.wait_for_url(f"{live_server.url}/vehicles/")
    # in English the button says so
    page.click("[data-testid=lang-en]")
    page.wait_for_selector("html[lang=en]")
    assert "Menu" in page.locator("[data-testid=menu-toggle]").inner_text()


def test_no_menu_button_on_a_pc(watched, live_server, province_user):
    page, _watch = watched
    login(page, live_server, province_user)
    assert not page.locator("[data-testid=menu-toggle]").is_visible()
    assert nav_links(page).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PC["width"]


def test_without_scripts_every_link_is_reachable(browser, live_server, province_user):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, province_user)
        assert not page.locator("[data-testid=menu-toggle]").is_visible()  # it would do nothing
        n = nav_links(page).count()
        assert n >= 5 and all(nav_links(page).nth(i).is_visible() for i in range(n))
        assert inside_the_screen(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shot(page, "82-menu-no-script-phone")
    finally:
        context.close()
