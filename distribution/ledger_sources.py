"""Where stock comes from: the one list of documents that may bring stock into the corps, with who approves
each. `services._post` (the only writer of the ledger) refuses a movement from outside the corps (a supplier,
the adjustments account, written off) into it unless its document type and movement kind are listed here,
from that kind of location. Supplier stock enters only by an acceptance certificate (验收单) of a contract
delivery.

Movements inside the corps (store → truck → store, store → officer and back) move stock that already
entered; they are documents too (`INTERNAL`), and a document type outside both lists is refused."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from .choices import LocationKind, MovementKind

# Locations outside the corps: stock taken from them is new to the ledger.
OUTSIDE = frozenset({LocationKind.SUPPLIER, LocationKind.ADJUSTMENT, LocationKind.WRITTEN_OFF})


@dataclass(frozen=True)
class Entry:
    doc_type: str
    sources: frozenset  # the outside location kinds it may take stock from
    kinds: frozenset  # the movement kinds it writes
    document: str
    approver: str


ENTRIES = {
    e.doc_type: e
    for e in (
        Entry(
            "acceptance",
            frozenset({LocationKind.SUPPLIER}),
            frozenset({MovementKind.RECEIVE}),
            gettext_lazy("合同交货的验收单（验收）"),
            gettext_lazy("接收单位（省级仓库、市州或县级）的验收人员"),
        ),
        Entry(
            "opening",
            frozenset({LocationKind.ADJUSTMENT}),
            frozenset({MovementKind.OPENING}),
            gettext_lazy("上线时的期初余额"),
            gettext_lazy("省级后勤审批，提交人以外的人"),
        ),
        Entry(
            "shipment",
            frozenset({LocationKind.ADJUSTMENT}),
            frozenset({MovementKind.EXCESS}),
            gettext_lazy("签收时发现的溢余（未发运而到货）"),
            gettext_lazy("收货单位签收；差异由省级后勤处理后关闭"),
        ),
        Entry(
            "stocktake",
            frozenset({LocationKind.ADJUSTMENT}),
            frozenset({MovementKind.ADJUSTMENT}),
            gettext_lazy("盘点盘盈"),
            gettext_lazy("上级审批：县级由市州，市州由省级，省级仓库由另一位省级用户"),
        ),
    )
}

# A reversing row undoes a movement; one that brings back what left the corps (a write-off, a claim) is
# allowed from where that movement went. Provincial logistics reverse (services.movement_reverse).
REVERSAL_APPROVER = gettext_lazy("省级后勤冲正（须说明原因）")

# Stock that comes back into a store from an officer already entered the corps: the unit's staff record it.
RETURNS = {
    "return": gettext_lazy("人员退回（本单位经办人员）"),
    "recovery": gettext_lazy("离岗收回（本单位经办人员）"),
    "exchange": gettext_lazy("调换（本单位经办人员）"),
}

# Documents that move stock that already entered (or send it out of the corps).
INTERNAL = frozenset({"shipment", "issue", "exchange", "return", "recovery", "case", "stocktake"})

DOC_TYPES = frozenset(ENTRIES) | INTERNAL


def allows(*, doc_type: str, kind: str, source_kind: str, reverses_id: int | None = None) -> bool:
    """May a movement of `kind` by a `doc_type` document take stock from a location of `source_kind`?"""
    if doc_type not in DOC_TYPES:
        return False
    if source_kind not in OUTSIDE:
        return True
    if kind == MovementKind.REVERSAL and reverses_id is not None:
        return True
    entry = ENTRIES.get(doc_type)
    return entry is not None and source_kind in entry.sources and kind in entry.kinds
