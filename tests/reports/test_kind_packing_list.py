"""装箱单 packing-list (issue 15, part 6): per city from the contract lines (its own contract under 统采分签, or its
share of the province's contract by the snapshot's city rows), per county from the snapshot's county share; the
county lists add up to the city's; scope; one language per file; no item codes."""

import datetime
from collections import Counter
from decimal import Decimal

import pytest

from assets import demand as D
from assets.models import ItemType
from assets.selectors import snapshot_order_lines
from assets.services import snapshot_create
from core.errors import NotFound, QMError
from procurement import services as proc
from procurement.models import ContractLine
from reports.kinds import _tables, packing_list
from reports.kinds.packing_list import PackingParams, collect, split
from tests.assets.equipment_fixtures import stations  # noqa: F401 (fixture)
from tests.personnel.factories import OfficerFactory
from tests.procurement.conftest import credit_code

from .test_one_language import check_pdf, check_xlsx

LOT1 = ["DRESS-JACKET", "DRESS-SHIRT", "CAP-PEAKED"]  # per-city contracts
LOT2 = ["INS-ARMBAND", "INS-NUMBER-HARD"]  # one province contract
PRICES = {
    "DRESS-JACKET": Decimal("168.5"),
    "DRESS-SHIRT": Decimal("45.5"),
    "CAP-PEAKED": Decimal("80"),
    "INS-ARMBAND": Decimal("6"),
    "INS-NUMBER-HARD": Decimal("9"),
}
SUPPLIERS = ("湖南甲服饰有限公司", "湖南乙标志有限公司")
REFERENCE = "湘财采计〔2026〕001号"


def _award(tender, number, codes, supplier):
    lot = proc.lot_create(
        actor=None,
        tender=tender,
        number=number,
        title=f"包{number}",
        budget=Decimal("900000"),
        item_codes=codes,
    )
    bid = proc.bid_submit(actor=None, lot=lot, supplier=supplier, price_offered=Decimal("800000"))
    proc.bid_score(actor=None, bid=bid, other_score=60)
    proc.lot_evaluate(actor=None, lot=lot)
    return proc.award_create(actor=None, lot=lot, decided_on=datetime.date(2026, 2, 2))


@pytest.fixture
def packing(org, catalog):
    """Changsha: 2 at the detachment, 3 in 长沙县 (one woman), 2 in 浏阳市; Zhuzhou: 2 and one made to measure.
    Lot 1 signed per city, lot 2 signed by the province, both from one snapshot (margin 3 %)."""
    officers = [
        *(OfficerFactory(unit=org["430100"], name=n) for n in ("张伟", "李强")),
        *(OfficerFactory(unit=org["430121"], name=n) for n in ("王军", "刘洋")),
        OfficerFactory(
            unit=org["430121"], name="王芳", gender="F", height_cm=160, chest_cm=84, waist_cm=68, head_cm=55
        ),
        *(OfficerFactory(unit=org["430181"], name=n, height_cm=180, chest_cm=96) for n in ("陈刚", "杨帆")),
        *(OfficerFactory(unit=org["430200"], name=n) for n in ("赵强", "孙磊")),
        OfficerFactory(unit=org["430200"], name="周定制", chest_cm=100, waist_cm=100),  # special body
    ]
    snap = snapshot_create(actor=None, note="packing")
    tender = proc.tender_create(
        actor=None,
        title="装箱单测试项目",
        reference=REFERENCE,
        year=2026,
        method="open",
        budget=Decimal("2000000"),
        bid_bond=Decimal("0"),
        procuring_unit=org["430000"],
    )
    sup = [
        proc.supplier_create(actor=None, name=n, credit_code=credit_code(900 + i))
        for i, n in enumerate(SUPPLIERS)
    ]
    contracts = []
    for number, codes, per_city in ((1, LOT1, True), (2, LOT2, False)):
        award = _award(tender, number, codes, sup[number - 1])
        contracts += proc.contracts_create_from_snapshot(
            actor=None,
            award=award,
            snapshot=snap,
            unit_prices={c: PRICES[c] for c in codes},
            per_city=per_city,
        )
    for c in contracts:
        proc.contract_sign(actor=None, contract=c, signed_on=datetime.date(2026, 2, 10))
    return {"snap": snap, "tender": tender, "contracts": contracts, "officers": officers}


def _std(section) -> Counter:
    """{(item name, gender label, size, ): quantity} of a list section."""
    return Counter({(r[1], r[2], r[3]): r[4] for r in section.rows})


def _lists(data) -> dict:
    return {
        (s.header["unit_code"], s.header["lot"]): s
        for s in data.sections
        if "unit_code" in s.header and not s.key.endswith("-mtm")
    }


def _mtm(data) -> dict:
    return {(s.header["unit_code"], s.header["lot"]): s for s in data.sections if s.key.endswith("-mtm")}


def _expected(lines) -> Counter:
    items = {i.pk: i for i in ItemType.objects.all()}
    out = Counter()
    for ln in lines:
        out[
            (
                _tables.item_name(items[ln.item_id], ln.gender),
                _tables.gender_label(ln.gender),
                _tables.size_label(ln.size),
            )
        ] += ln.quantity
    return out


def test_split_by_largest_remainder_adds_up():
    assert split(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    assert split(7, {"b": 3, "a": 0, "c": 4}) == {"b": 3, "c": 4}
    # 58.25, 39.81, 1.94: the two pieces left go to the largest remainders, z then y
    assert split(100, {"x": 60, "y": 41, "z": 2}) == {"x": 58, "y": 40, "z": 2}
    for total in range(0, 40):
        assert sum(split(total, {"p": 5, "q": 7, "r": 1}).values()) == total
    with pytest.raises(ValueError):
        split(3, {"a": 0})


def test_city_lists_equal_their_contract_lines(packing, province_user):
    data = collect(province_user, PackingParams())
    lists = _lists(data)
    for c in packing["contracts"]:
        if c.buyer.level != "city":
            continue
        std = c.lines.filter(kind="standard")
        assert _std(lists[(c.buyer.code, 1)]) == _expected(std)
        mtm = c.lines.filter(kind="mtm").select_related("officer")
        if mtm:
            section = _mtm(data)[(c.buyer.code, 1)]
            assert sorted((r[1], r[5]) for r in section.rows) == sorted(
                (ln.officer.name, ln.quantity) for ln in mtm
            )
            assert {r[2] for r in section.rows} == {"株洲市交通运输综合行政执法支队"}  # the officer's unit
    # the summary's total is every piece of every signed contract line
    assert data.meta["total"] == sum(ContractLine.objects.values_list("quantity", flat=True))
    summary = data.sections[0]
    assert summary.rows[-1][5] == data.meta["total"] == sum(r[5] for r in summary.rows[:-1])


def test_province_contract_is_split_by_the_snapshot_city_rows(packing, province_user):
    (province,) = [c for c in packing["contracts"] if c.buyer.level == "province"]
    lists = _lists(collect(province_user, PackingParams(lot=2)))
    assert {lot for _c, lot in lists} == {2}
    summed = sum((_std(s) for s in lists.values()), Counter())
    assert summed == _expected(province.lines.filter(kind="standard"))  # nothing lost, nothing added
    items = {i.code: i for i in ItemType.objects.all()}
    for city in ("430100", "430200"):
        share = {
            (
                _tables.item_name(items[r["item_code"]], r["gender"]),
                _tables.gender_label(r["gender"]),
                _tables.size_label(r["size"]),
            ): r["order_quantity"]
            for r in snapshot_order_lines(packing["snap"], city)
            if r["item_code"] in LOT2
        }
        assert _std(lists[(city, 2)]) == Counter(share)  # what a per-city contract would have held


def test_county_lists_add_up_to_the_city_list(packing, province_user):
    cities = collect(province_user, PackingParams())
    counties = collect(province_user, PackingParams(per="county"))
    assert counties.meta["per"] == "county"
    by_city: dict = {}
    for (unit, lot), section in _lists(counties).items():
        city = "430100" if unit in ("430100", "430121", "430181") else unit
        by_city[(city, lot)] = by_city.get((city, lot), Counter()) + _std(section)
    assert by_city == {k: _std(s) for k, s in _lists(cities).items()}
    assert {u for u, _lot in _lists(counties)} == {"430100", "430121", "430181", "430200"}
    # each county's share follows its officers: 浏阳 has only the two 180 cm men, 长沙县 none of that height
    liuyang = _std(_lists(counties)[("430181", 1)])
    garments = {size for (_n, _g, size) in liuyang if "/" in size}
    assert garments and all(size.startswith("180/") for size in garments)
    assert not any(size.startswith("180/") for (_n, _g, size) in _std(_lists(counties)[("430121", 1)]))
    # made-to-measure lines go by name to the officer's own unit
    assert {(u, r[1]) for (u, _lot), s in _mtm(counties).items() for r in s.rows} == {("430200", "周定制")}
    assert counties.meta["total"] == cities.meta["total"]
    titles = [s.title for s in counties.sections]
    assert any("（本级）" in t for t in titles)


def test_scope(packing, changsha_user, zhuzhou_user, county_user, api):
    data = collect(changsha_user, PackingParams())
    assert {u for u, _lot in _lists(data)} == {"430100"}
    data = collect(changsha_user, PackingParams(per="county"))
    assert {u for u, _lot in _lists(data)} == {"430100", "430121", "430181"}
    data = collect(county_user, PackingParams())  # county staff: their county's list
    assert {u for u, _lot in _lists(data)} == {"430121"} and data.meta["per"] == "county"
    with pytest.raises(NotFound):
        collect(changsha_user, PackingParams(city="430200"))
    with pytest.raises(QMError):
        collect(changsha_user, PackingParams(city="430121"))  # a county given as a city
    assert _lists(collect(zhuzhou_user, PackingParams())).keys() == {("430200", 1), ("430200", 2)}
    r = api.as_(changsha_user).post(
        "/reports/jobs", {"kind": "packing-list", "format": "xlsx", "params": {"city": "430200"}}
    )
    assert r.status_code == 404
    r = api.as_(changsha_user).post(
        "/reports/jobs", {"kind": "packing-list", "format": "xlsx", "params": {"per": "town"}}
    )
    assert r.status_code == 400
    assert (
        api.post("/reports/jobs", {"kind": "packing-list", "format": "pdf", "params": {}}).status_code == 401
    )


def test_supplementary_contracts_add_to_their_lines(packing, province_user):
    from procurement.models import ContractVariation, ContractVariationLine

    cs = next(c for c in packing["contracts"] if c.buyer.code == "430100")
    line = cs.lines.filter(kind="standard").first()
    before = _std(_lists(collect(province_user, PackingParams(lot=1)))[("430100", 1)])
    variation = ContractVariation.objects.create(
        contract=cs, number="BC-1", signed_on=datetime.date(2026, 3, 1), legal_basis="政府采购法第四十九条"
    )
    ContractVariationLine.objects.create(
        variation=variation, contract_line=line, quantity=2, unit_price=line.unit_price, amount=Decimal(0)
    )
    after = _std(_lists(collect(province_user, PackingParams(lot=1)))[("430100", 1)])
    key = (_tables.item_name(line.item, line.gender), _tables.gender_label(line.gender), line.size)
    assert after[key] == before[key] + 2 and sum(after.values()) == sum(before.values()) + 2


def test_unsigned_contracts_are_not_packed(packing, province_user):
    from procurement.models import Contract

    Contract.objects.filter(buyer__code="430200").update(status="draft")
    assert ("430200", 1) not in _lists(collect(province_user, PackingParams()))


def test_one_language_pdf_and_xlsx(packing, province_user, media, tmp_path):
    zh, en = check_pdf(
        province_user,
        "packing-list",
        {"per": "county", "city": "430100"},
        tmp_path,
        en_present=("Packing list", "Item", "Gender", "Size", "Quantity", "Lot 1", "men", "women"),
        zh_absent=("装箱单", "品名", "号型", "数量", "第1包"),
        en_data=(*SUPPLIERS, REFERENCE),
    )
    assert "装箱单" in zh and "品名" in zh and "第1包" in zh and "常服上衣" in zh
    assert "（本级）" in zh and "(own)" in en
    zh, en = check_xlsx(
        province_user,
        "packing-list",
        {},
        tmp_path,
        en_present=("Consignee", "Made-to-measure pieces", "Item", "Name", "About"),
        zh_absent=("收货单位", "量体定制件数", "品名"),
        en_data=(*SUPPLIERS, REFERENCE),
    )
    assert "收货单位" in zh and "周定制" in zh and "量体定制" in zh
    assert D.MARGIN_PERCENT == 3 and packing_list.KIND == "packing-list"


def test_report_centre_offers_it_and_runs_it(
    browse, changsha_user, packing, media, django_capture_on_commit_callbacks
):
    from reports.models import ReportJob

    c = browse(changsha_user)
    page = c.get("/reports/?kind=packing-list").content.decode()
    assert 'name="per"' in page and 'name="lot"' in page and 'name="tender"' in page
    assert 'value="county"' in page and "每个县级单位" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(
            "/reports/",
            {"kind": "packing-list", "format": "xlsx", "per": "county", "unit": "430100", "nonce": "p1"},
        )
    job = ReportJob.objects.get()
    assert r.status_code == 302 and job.parameters == {"city": "430100", "per": "county"}
    assert job.status == "done", job.error
    r = c.post("/reports/", {"kind": "packing-list", "format": "xlsx", "per": "town", "nonce": "p2"})
    assert r.status_code == 400 and ReportJob.objects.count() == 1


def test_a_station_packs_with_its_county(org, stations):
    units = packing_list.Units()
    assert units.destination(stations["cs1"].code) == "430121"  # a station of 长沙县
    assert units.destination(stations["city"].code) == "430100"  # directly under the detachment: 本级
    assert units.destination(stations["zz"].code) == "430212"
    assert [units.destination(c) for c in ("430121", "430100", "430000")] == ["430121", "430100", "430000"]
    assert units.city_of(stations["ly"].code) == "430100"
