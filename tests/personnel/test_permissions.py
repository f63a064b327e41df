"""The scope matrix (after NetBox): every personnel endpoint as anonymous, as a user of another city, as a
user in scope without the role, and as a user with the role."""

import pytest

from .factories import OfficerFactory

# (method, path template, payload, role that may act). {oid} is a Changsha county officer.
ENDPOINTS = [
    ("get", "/personnel/officers/{oid}", None, "auditor"),
    ("patch", "/personnel/officers/{oid}", {"post": "中队长"}, "city"),
    ("post", "/personnel/officers/{oid}/status", {"status": "on_leave", "reason": "病假"}, "city"),
    ("post", "/personnel/officers/{oid}/transfer", {"to_unit": "430181", "reason": "调整"}, "city"),
    ("get", "/personnel/units/430121", None, "auditor"),
]


@pytest.fixture
def officer(org):
    return OfficerFactory(unit=org["430121"])


@pytest.mark.parametrize("method,path,payload,role", ENDPOINTS)
def test_scope_matrix(api, officer, make_user, method, path, payload, role):
    path = path.format(oid=officer.pk)
    call = lambda client: getattr(client, method)(path, payload) if payload else getattr(client, method)(path)  # noqa: E731

    assert call(api).status_code == 401
    assert call(api.as_(make_user("city", "430200"))).status_code == 404  # another city
    no_role = make_user("auditor", "430100")  # in scope, read-only
    assert call(api.as_(no_role)).status_code == (200 if role == "auditor" else 403)
    allowed = make_user("city", "430100")
    assert call(api.as_(allowed)).status_code == 200
