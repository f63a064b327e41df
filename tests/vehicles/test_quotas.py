import itertools

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import QMError
from core.history import history_for
from vehicles import selectors, services
from vehicles.models import QuotaLine, QuotaRecord

from .conftest import ALLOCATION, days, next_plate

CITIES = list(ALLOCATION)
_doc = itertools.count(1)

line = st.fixed_dictionaries(
    {
        "city_code": st.sampled_from(CITIES + ["430121"]),
        "value": st.integers(-15, 25),
        "absolute": st.booleans(),
    }
)
any_record = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["allocation", "adjustment", "transfer", "total_change"]),
        "total_change": st.integers(-40, 140),
        "lines": st.lists(line, max_size=5),
    }
)
transfer = st.builds(
    lambda a, b, n: {
        "kind": "transfer",
        "total_change": 0,
        "lines": [
            {"city_code": a, "value": -n, "absolute": False},
            {"city_code": b, "value": n, "absolute": False},
        ],
    },
    st.sampled_from(CITIES),
    st.sampled_from(CITIES),
    st.integers(1, 6),
)
operation = st.one_of(any_record, transfer)


def _apply_model(state, op):
    """What the rules say should happen, computed independently: (new state) or None if refused."""
    total, quotas = state
    if any(ln["city_code"] not in CITIES for ln in op["lines"]):
        return None
    codes = [ln["city_code"] for ln in op["lines"]]
    if len(set(codes)) != len(codes):
        return None
    changes = {}
    for ln in op["lines"]:
        if ln["absolute"] and ln["value"] < 0:
            return None
        changes[ln["city_code"]] = (
            ln["value"] - quotas.get(ln["city_code"], 0) if ln["absolute"] else ln["value"]
        )
    changes = {c: d for c, d in changes.items() if d}
    if not changes and op["total_change"] == 0:
        return None
    if op["kind"] == "transfer" and (op["total_change"] or sum(changes.values()) or len(changes) < 2):
        return None
    if op["kind"] == "total_change" and op["total_change"] == 0:
        return None
    new_total = total + op["total_change"]
    new_quotas = dict(quotas)
    for c, d in changes.items():
        new_quotas[c] = new_quotas.get(c, 0) + d
    if new_total < 0 or any(q < 0 for q in new_quotas.values()) or sum(new_quotas.values()) > new_total:
        return None
    return new_total, new_quotas


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=1, max_size=8))
def test_quota_arithmetic_and_invariant_under_any_sequence(org, ops):
    start = {
        "kind": "allocation",
        "total_change": 122,
        "lines": [{"city_code": c, "value": q, "absolute": True} for c, q in ALLOCATION.items()],
    }
    with transaction.atomic():
        state = (0, {})
        for op in [start, *ops]:
            expected = _apply_model(state, op)
            lines = [
                {"city_code": ln["city_code"], ("quota" if ln["absolute"] else "change"): ln["value"]}
                for ln in op["lines"]
            ]
            n_records = QuotaRecord.objects.count()
            try:
                services.quota_record_create(
                    actor=None,
                    doc_number=f"P-{next(_doc)}",
                    doc_date=days(-1),
                    kind=op["kind"],
                    reason="property",
                    total_change=op["total_change"],
                    lines=lines,
                )
            except QMError:
                assert expected is None, op
                assert QuotaRecord.objects.count() == n_records  # a refused record changes nothing
            else:
                assert expected is not None, op
                state = expected
            total, quotas = services.quota_state()
            by_code = {org_code: quotas.get(org[org_code].pk, 0) for org_code in CITIES}
            assert total == state[0]
            assert by_code == {c: state[1].get(c, 0) for c in CITIES}
            assert sum(by_code.values()) <= total and all(q >= 0 for q in by_code.values())
            table = selectors.allocation_table()
            assert table["total"] == total and table["allocated"] == sum(by_code.values())
        transaction.set_rollback(True)


def test_allocation_of_122(allocation, org):
    total, quotas = services.quota_state()
    assert total == 122 and sum(quotas.values()) == 122
    assert quotas[org["430900"].pk] == 8 and quotas[org["430500"].pk] == 10
    assert (
        allocation.total_after == 122 and allocation.allocated_after == 122 and allocation.lines.count() == 14
    )


def test_transfer_between_cities(allocation, org, province_user):
    record = services.quota_record_create(
        actor=province_user,
        doc_number="湘交执法〔2026〕7号",
        doc_date=days(-1),
        kind="transfer",
        reason="怀化新增里程",
        lines=[{"city_code": "430300", "change": -1}, {"city_code": "431200", "change": 1}],
    )
    _total, quotas = services.quota_state()
    assert quotas[org["430300"].pk] == 5 and quotas[org["431200"].pk] == 12
    assert {ln.city.code: ln.quota_after for ln in record.lines.all()} == {"430300": 5, "431200": 12}
    assert history_for(record).first().changes["lines"][1] == {"430300": -1, "431200": 1}


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"kind": "adjustment", "lines": [{"city_code": "430100", "change": 1}]}, "over_allocated"),
        (
            {
                "kind": "transfer",
                "lines": [{"city_code": "430100", "change": 2}, {"city_code": "430200", "change": -1}],
            },
            "bad_transfer",
        ),
        ({"kind": "adjustment", "lines": [{"city_code": "430100", "change": -13}]}, "negative_quota"),
        ({"kind": "adjustment", "lines": [{"city_code": "430121", "change": 1}]}, "bad_city"),
        ({"kind": "adjustment", "lines": [{"city_code": "430100", "change": 1, "quota": 3}]}, "bad_line"),
        ({"kind": "adjustment", "lines": [{"city_code": "430100", "quota": 12}]}, "no_change"),
        ({"kind": "total_change", "total_change": -1}, "over_allocated"),
        (
            {
                "kind": "adjustment",
                "total_change": 1,
                "lines": [{"city_code": "430100", "change": 1}, {"city_code": "430100", "change": 1}],
            },
            "duplicate_city",
        ),
        ({"kind": "nonsense", "lines": [{"city_code": "430100", "change": 1}]}, "bad_kind"),
        ({"kind": "total_change", "total_change": 1, "doc_date": days(3)}, "future_date"),
    ],
)
def test_refused_records_change_nothing(allocation, province_user, kwargs, code):
    before = (QuotaRecord.objects.count(), QuotaLine.objects.count(), services.quota_state())
    with pytest.raises(QMError) as exc:
        services.quota_record_create(
            actor=province_user,
            doc_number="BAD-1",
            reason="x",
            **{"total_change": 0, "doc_date": days(-1), **kwargs},
        )
    assert exc.value.code == code
    assert (QuotaRecord.objects.count(), QuotaLine.objects.count(), services.quota_state()) == before


def test_duplicate_document_number_and_roles(allocation, changsha_user, province_user):
    with pytest.raises(QMError) as exc:
        services.quota_record_create(
            actor=province_user,
            doc_number="湘交执法〔2025〕18号",
            doc_date=days(-1),
            kind="total_change",
            reason="x",
            total_change=1,
        )
    assert exc.value.status == 409
    with pytest.raises(QMError) as exc:
        services.quota_record_create(
            actor=changsha_user,
            doc_number="X-2",
            doc_date=days(-1),
            kind="total_change",
            reason="x",
            total_change=1,
        )
    assert exc.value.status == 403


# ---- the cap ---------------------------------------------------------------------------------------------


def test_over_quota_refused_then_allowed_by_exception(
    small_quota, make_vehicle, org, province_user, changsha_user
):
    make_vehicle("430100", actor=changsha_user)
    make_vehicle("430121", actor=changsha_user)  # a county of Changsha counts for the city
    with pytest.raises(QMError) as exc:
        make_vehicle("430100", actor=changsha_user)
    assert exc.value.code == "over_quota" and exc.value.status == 409
    assert exc.value.details == {
        "field": "owning_unit",
        "city_code": "430100",
        "quota": 2,
        "exceptions": 0,
        "held": 2,
        "adding": 1,
    }
    with pytest.raises(QMError) as exc:  # only provincial logistics may grant an exception
        services.quota_exception_grant(actor=changsha_user, city=org["430100"], extra=1, reason="应急")
    assert exc.value.status == 403
    with pytest.raises(QMError):
        services.quota_exception_grant(actor=province_user, city=org["430100"], extra=1, reason=" ")
    exception = services.quota_exception_grant(
        actor=province_user,
        city=org["430100"],
        extra=1,
        reason="长株潭应急保障 emergency cover",
        doc_number="湘交执法函〔2026〕2号",
    )
    third = make_vehicle("430100", actor=changsha_user)
    with pytest.raises(QMError):
        make_vehicle("430100", actor=changsha_user)
    with pytest.raises(QMError) as exc:
        services.quota_exception_revoke(actor=province_user, exception=exception)
    assert exc.value.code == "exception_in_use"
    # a vehicle outside the 122 does not count
    make_vehicle("430100", actor=changsha_user, counts_against_quota=False)
    # disposal frees a slot, and then the exception may be withdrawn
    req = services.disposal_request(actor=changsha_user, vehicle=third, method="scrap", reason="事故报废")
    services.disposal_decide(actor=province_user, request=req, approve=True, document="湘交执法〔2026〕9号")
    services.quota_exception_revoke(actor=province_user, exception=exception, reason="已不需要")
    exception.refresh_from_db()
    assert not exception.is_active
    row = next(r for r in selectors.allocation_table()["rows"] if r["city_code"] == "430100")
    assert row["held"] == 2 and row["quota"] == 2 and row["exceptions"] == 0


def test_quota_cannot_drop_below_the_fleet(small_quota, make_vehicle, province_user):
    make_vehicle("430100")
    make_vehicle("430100")
    with pytest.raises(QMError) as exc:
        services.quota_record_create(
            actor=province_user,
            doc_number="D-1",
            doc_date=days(-1),
            kind="adjustment",
            reason="x",
            lines=[{"city_code": "430100", "change": -1}],
        )
    assert exc.value.code == "quota_below_fleet"


def test_transfer_into_a_full_city_is_refused(small_quota, make_vehicle, org, province_user):
    make_vehicle("430200")
    v = make_vehicle("430100")
    with pytest.raises(QMError) as exc:
        services.vehicle_transfer(actor=province_user, vehicle=v, to_unit=org["430200"], reason="支援")
    assert exc.value.code == "over_quota" and exc.value.details["field"] == "to_unit"
    v.refresh_from_db()
    assert v.owning_unit == org["430100"] and not v.transfers.exists()


def test_counting_the_flag_back_on_checks_the_cap(small_quota, make_vehicle):
    make_vehicle("430200")
    spare = make_vehicle("430200", counts_against_quota=False)
    with pytest.raises(QMError) as exc:
        services.vehicle_update(actor=None, vehicle=spare, counts_against_quota=True)
    assert exc.value.code == "over_quota"


def test_allocation_counts(allocation, make_vehicle, org, changsha_user, province_user):
    p = services.purchase_create(
        actor=changsha_user,
        city=org["430100"],
        title="长沙执法车",
        quantity=3,
        stage_date=days(-90),
        budget_amount="690000",
    )
    services.purchase_advance(actor=changsha_user, purchase=p, stage="procurement", date=days(-80))
    table = {r["city_code"]: r for r in selectors.allocation_table()["rows"]}
    assert table["430100"]["purchased"] == 0 and table["430100"]["purchase_stage"] == "procurement"
    services.purchase_advance(
        actor=changsha_user,
        purchase=p,
        stage="contract_signed",
        date=days(-60),
        document="HT-2026-01",
        contract_amount="680000.00",
        supplier="湖南上汽大众",
    )
    make_vehicle("430100", purchase=p)  # on order, no plate
    make_vehicle("430121", registered=True, purchase=p)  # has a plate
    make_vehicle("430100", in_service=True, purchase=p)
    gone = make_vehicle("430100", in_service=True, counts_against_quota=True)
    req = services.disposal_request(actor=changsha_user, vehicle=gone, method="scrap", reason="报废")
    services.disposal_decide(actor=province_user, request=req, approve=True)
    out = selectors.allocation_table()
    row = {r["city_code"]: r for r in out["rows"]}["430100"]
    assert (
        row["quota"],
        row["purchased"],
        row["registered"],
        row["in_service"],
        row["gap"],
        row["held"],
    ) == (12, 3, 2, 1, 11, 3)
    assert len(out["rows"]) == 14 and out["total"] == 122
    assert out["totals"]["in_service"] == 1 and out["totals"]["gap"] == 121 and out["totals"]["quota"] == 122


def test_quota_records_listed_newest_first(allocation, province_user):
    services.quota_record_create(
        actor=province_user,
        doc_number="T-9",
        doc_date=days(0),
        kind="total_change",
        reason="增加编制",
        total_change=4,
    )
    docs = [r.doc_number for r in selectors.quota_records()]
    assert docs == ["T-9", "湘交执法〔2025〕18号"]
    assert services.quota_state()[0] == 126
    assert next_plate()  # the helper keeps giving plates
