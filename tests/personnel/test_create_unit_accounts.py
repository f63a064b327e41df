"""create_unit_accounts: each account its own random password, shown once (or in a mode-600 file), and a
password change at the first login; existing accounts are left alone."""

import io
import stat

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from core.models import PasswordChangeDue
from personnel.management.commands.create_unit_accounts import new_password
from personnel.models import OrgUnit


def _accounts(text):
    return {line.split("\t")[0]: line.split("\t")[2] for line in text.strip().splitlines()}


@pytest.mark.django_db
def test_each_account_gets_its_own_password_and_must_change_it(province_user, make_user, tmp_path):
    existing = make_user("city", "430100", username="city430100")
    out = io.StringIO()
    call_command("create_unit_accounts", "--user", province_user.username, stdout=out)
    accounts = _accounts(out.getvalue())
    units = OrgUnit.objects.filter(level__in=["city", "county"], is_active=True).count()
    assert len(accounts) == units
    assert accounts["city430100"] == "(exists)"
    passwords = [pw for name, pw in accounts.items() if name != "city430100"]
    assert len(set(passwords)) == len(passwords) == units - 1  # no two share one
    assert all(len(pw) == 14 for pw in passwords)
    User = get_user_model()
    county = User.objects.get(username="county430121")
    assert county.check_password(accounts["county430121"])
    assert PasswordChangeDue.objects.filter(user=county, changed_at__isnull=True).exists()
    assert not PasswordChangeDue.objects.filter(user=existing).exists()
    # at the first login the new account is sent to the password page
    client = Client()
    response = client.post("/login/", {"username": "county430121", "password": accounts["county430121"]})
    assert response.status_code == 302
    assert client.get("/").status_code == 302 and client.get("/")["Location"].startswith("/password/")
    # a second run creates nothing and shows no password
    again = io.StringIO()
    call_command("create_unit_accounts", "--user", province_user.username, stdout=again)
    assert set(_accounts(again.getvalue()).values()) == {"(exists)"}


@pytest.mark.django_db
def test_passwords_go_to_a_file_only_the_owner_reads(province_user, tmp_path):
    target = tmp_path / "accounts.tsv"
    out = io.StringIO()
    call_command(
        "create_unit_accounts", "--user", province_user.username, "--output", str(target), stdout=out
    )
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    accounts = _accounts(target.read_text())
    assert accounts and all(pw not in out.getvalue() for pw in accounts.values())
    with pytest.raises(CommandError, match="exists"):
        call_command("create_unit_accounts", "--user", province_user.username, "--output", str(target))


def test_generated_passwords_pass_the_validators():
    from django.contrib.auth.password_validation import validate_password

    for _ in range(50):
        validate_password(new_password(), get_user_model()(username="county430121"))
