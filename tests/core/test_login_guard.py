"""Login throttling (core.login_guard on django-axes): the growing wait, the pair's lock, who is not locked
out, forwarded addresses, the message, the unlock; the first-login password change; the validators."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.utils import timezone

from core import login_guard
from core.errors import Forbidden
from core.models import ChangeRecord, PasswordChangeDue
from core.passwords import password_change_require

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-123"
OFFICE = "10.8.0.7"  # the province's office
CITY_NAT = "10.43.1.1"  # a whole city behind one address
ATTACKER = "203.0.113.9"


def _login(username, password, ip, path="/login/", **extra):
    client = Client(REMOTE_ADDR=ip)
    return client.post(path, {"username": username, "password": password}, **extra), client


def _age_failures(seconds=120):
    """Move every counted failure into the past, as if the attacker had waited (not the lock's window)."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(seconds=seconds))


@pytest.fixture
def province(province_user):
    return province_user


def test_wrong_passwords_then_a_growing_wait_then_a_lock_of_the_pair(province):
    name = province.username
    for _ in range(3):
        response, _ = _login(name, "wrong", ATTACKER)
        assert response.status_code == 200  # the form again, "wrong user name or password"
    # the 4th try comes within the pair's 1 s wait: refused without checking, and said so, in Chinese
    response, _ = _login(name, PASSWORD, ATTACKER)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1
    assert "秒后再试" in response.content.decode()
    assert AccessAttempt.objects.get(username=name, ip_address=ATTACKER).failures_since_start == 3
    waits = []
    for _ in range(7):  # failures 4…10, each after the wait: the wait doubles, then the pair is locked
        _age_failures(seconds=70)
        waits.append(login_guard.retry_after(username=name, ip_address=ATTACKER))
        response, _ = _login(name, "wrong", ATTACKER)
    assert AccessAttempt.objects.get(username=name, ip_address=ATTACKER).failures_since_start == 10
    response, _ = _login(name, PASSWORD, ATTACKER)  # the right password no longer helps from there
    assert response.status_code == 429
    assert "已暂停登录 15 分钟" in response.content.decode()
    assert response["Retry-After"] == str(15 * 60)
    assert not response.wsgi_request.user.is_authenticated


def test_the_wait_grows_per_pair():
    now = timezone.now()
    AccessAttempt.objects.create(
        username="x", ip_address=ATTACKER, user_agent="", failures_since_start=3, attempt_time=now
    )
    AccessAttempt.objects.update(attempt_time=now)  # the model stamps its own time on creation
    first = login_guard.retry_after(username="x", ip_address=ATTACKER, now=now)
    AccessAttempt.objects.filter(username="x").update(failures_since_start=6)
    later = login_guard.retry_after(username="x", ip_address=ATTACKER, now=now)
    assert (first, later) == (1, 8)
    assert login_guard.retry_after(username="x", ip_address=ATTACKER, now=now + timedelta(seconds=9)) == 0


def test_a_guesser_elsewhere_does_not_lock_province_out_of_its_office(province):
    _login(province.username, PASSWORD, OFFICE)  # the office has logged in before: a known address
    for n in range(40):  # a guesser from many addresses
        AccessAttempt.objects.create(
            username=province.username,
            ip_address=f"198.51.100.{n}",
            user_agent="",
            failures_since_start=10,
            attempt_time=timezone.now(),
        )
    response, client = _login(province.username, PASSWORD, OFFICE)
    assert response.status_code == 302 and response.wsgi_request.user == province
    # from an address that never logged in to it, the account's wait applies, capped at a minute
    wait = login_guard.retry_after(username=province.username, ip_address="192.0.2.1")
    assert 0 < wait <= login_guard.MAX_WAIT_SECONDS


def test_one_user_mistyping_does_not_lock_out_the_city_behind_one_address(make_user):
    mistyper = make_user("city", "430100")
    colleague = make_user("city", "430100")
    for _ in range(10):
        _age_failures(seconds=70)
        _login(mistyper.username, "wrong", CITY_NAT)
    response, _ = _login(mistyper.username, PASSWORD, CITY_NAT)
    assert response.status_code == 429  # the pair is locked
    response, _ = _login(colleague.username, PASSWORD, CITY_NAT)
    assert response.status_code == 302 and response.wsgi_request.user == colleague


def test_an_address_spraying_many_accounts_waits():
    now = timezone.now()
    for n in range(7):
        AccessAttempt.objects.create(
            username=f"u{n}", ip_address=ATTACKER, user_agent="", failures_since_start=1, attempt_time=now
        )
    AccessAttempt.objects.update(attempt_time=now)
    assert login_guard.retry_after(username="another", ip_address=ATTACKER, now=now) == 4
    assert login_guard.retry_after(username="another", ip_address=CITY_NAT, now=now) == 0


def test_the_admin_login_is_throttled_the_same_way(province):
    for _ in range(3):
        _login(province.username, "wrong", ATTACKER, path="/admin/login/")
    response, _ = _login(province.username, PASSWORD, ATTACKER, path="/admin/login/")
    assert response.status_code == 429
    assert AccessAttempt.objects.get(username=province.username).path_info == "/admin/login/"


def test_success_forgets_the_failures(province):
    _login(province.username, "wrong", OFFICE)
    response, _ = _login(province.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=province.username).exists()


def test_the_message_is_in_the_users_language(province):
    for _ in range(3):
        _login(province.username, "wrong", ATTACKER)
    client = Client(REMOTE_ADDR=ATTACKER)
    client.cookies["django_language"] = "en"
    response = client.post("/login/", {"username": province.username, "password": PASSWORD})
    text = response.content.decode()
    assert response.status_code == 429 and "try again in" in text and "秒后再试" not in text


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/login/", **extra)


def test_forwarded_addresses_are_believed_only_from_configured_proxies(settings):
    settings.QM_TRUSTED_PROXIES = []
    assert login_guard.client_ip(_request("198.51.100.5", "1.2.3.4")) == "198.51.100.5"
    settings.QM_TRUSTED_PROXIES = ["10.0.0.5", "10.1.0.0/24"]
    # from the proxy: the right-most address the proxies did not add themselves
    assert login_guard.client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.7")) == "203.0.113.7"
    assert login_guard.client_ip(_request("10.0.0.5", "1.2.3.4, 203.0.113.7, 10.1.0.9")) == "203.0.113.7"
    # a client behind a trusted proxy cannot pick its address by writing the header itself
    assert login_guard.client_ip(_request("10.0.0.5", "9.9.9.9, 203.0.113.7")) == "203.0.113.7"
    # from anyone else the header is ignored
    assert login_guard.client_ip(_request("198.51.100.5", "10.0.0.5")) == "198.51.100.5"
    assert login_guard.client_ip(_request("10.0.0.5", "garbage")) == "10.0.0.5"
    assert login_guard.client_ip(_request("10.0.0.5")) == "10.0.0.5"


def test_spoofed_forwarded_header_does_not_escape_the_lock(province, settings):
    settings.QM_TRUSTED_PROXIES = ["10.0.0.5"]
    for n in range(3):
        _login(province.username, "wrong", ATTACKER, HTTP_X_FORWARDED_FOR=f"1.1.1.{n}")
    response, _ = _login(province.username, PASSWORD, ATTACKER, HTTP_X_FORWARDED_FOR="1.1.1.99")
    assert response.status_code == 429


def test_province_unlocks_a_pair_and_it_is_recorded(province, changsha_user):
    name = changsha_user.username
    AccessAttempt.objects.create(
        username=name,
        ip_address=CITY_NAT,
        user_agent="",
        failures_since_start=10,
        attempt_time=timezone.now(),
    )
    assert login_guard.locks().filter(username=name).exists()
    with pytest.raises(Forbidden):
        login_guard.login_unlock(actor=changsha_user, username=name)
    assert login_guard.login_unlock(actor=province, username=name, ip_address=CITY_NAT) == 1
    assert not AccessAttempt.objects.filter(username=name).exists()
    record = ChangeRecord.objects.filter(object_id=str(changsha_user.pk), actor=province).latest("id")
    assert record.changes == {"login_failures": [10, 0]} and CITY_NAT in record.note
    response, _ = _login(name, PASSWORD, CITY_NAT)
    assert response.status_code == 302
    assert login_guard.login_unlock(actor=province, username=name) == 0


def test_the_admin_shows_locks_to_province_and_unlocks_through_the_service(province, changsha_user, browse):
    AccessAttempt.objects.create(
        username=changsha_user.username,
        ip_address=CITY_NAT,
        user_agent="",
        failures_since_start=10,
        attempt_time=timezone.now(),
    )
    row = AccessAttempt.objects.get()
    assert browse(changsha_user).get("/admin/core/loginlock/").status_code in (302, 403)
    client = browse(province)
    assert client.get("/admin/core/loginlock/").status_code == 200
    response = client.post(
        "/admin/core/loginlock/", {"action": "unlock", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    assert ChangeRecord.objects.filter(object_id=str(changsha_user.pk), actor=province).exists()


# ---- the first-login password change ---------------------------------------------------------------


def test_a_flagged_account_is_sent_to_the_password_page_first(changsha_user):
    password_change_require(actor=None, user=changsha_user)
    response, client = _login(changsha_user.username, PASSWORD, OFFICE)
    assert response.status_code == 302
    page = client.get("/roll/")
    assert page.status_code == 302 and page["Location"].startswith("/password/?next=")
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "password_change_due"
    form = client.get("/password/")
    assert form.status_code == 200 and 'data-testid="password-due"' in form.content.decode()
    # a weak new password is refused with the validators' reasons, and nothing changes
    weak = client.post(
        "/password/", {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
    )
    assert weak.status_code == 200 and 'data-testid="password-error"' in weak.content.decode()
    assert client.get("/roll/").status_code == 302
    done = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Lantern-Kettle-58",
            "new_password2": "Lantern-Kettle-58",
        },
    )
    assert done.status_code == 302
    assert client.get("/roll/").status_code == 200
    due = PasswordChangeDue.objects.get(user=changsha_user)
    assert due.changed_at is not None
    changsha_user.refresh_from_db()
    assert changsha_user.check_password("Lantern-Kettle-58")
    assert ChangeRecord.objects.filter(object_id=str(changsha_user.pk), actor=changsha_user).exists()


def test_the_password_page_refuses_a_wrong_current_password(changsha_user, browse):
    client = browse(changsha_user)
    response = client.post(
        "/password/",
        {"old_password": "nope", "new_password1": "Lantern-Kettle-58", "new_password2": "Lantern-Kettle-58"},
    )
    assert response.status_code == 200 and 'data-testid="password-error"' in response.content.decode()
    changsha_user.refresh_from_db()
    assert changsha_user.check_password(PASSWORD)


def test_an_unflagged_account_goes_where_it_asked(changsha_user):
    response, client = _login(changsha_user.username, PASSWORD, OFFICE)
    assert client.get("/roll/").status_code == 200


@pytest.mark.parametrize(
    "password, reason",
    [
        ("short1", "password_too_short"),
        ("12345678901", "password_entirely_numeric"),
        ("password123", "password_too_common"),
        ("xy430100pqrs", "password_guessable"),
        ("Hunan-Lantern-9", "password_guessable"),
    ],
)
def test_password_validators_beyond_length(password, reason):
    user = get_user_model()(username="city430100")
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    assert reason in [e.code for e in exc.value.error_list]


def test_a_good_password_passes_the_validators():
    validate_password("Lantern-Kettle-58", get_user_model()(username="city430100"))
