"""The stock ledger (Movement, append-only) and the documents that write it.

StockBalance and UnitFlow are summaries of the ledger kept in the same transaction as every Movement
(services._post is the only writer); `services.ledger_verify()` recomputes both from the ledger.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from .choices import (
    CaseOutcome,
    CaseStatus,
    LocationKind,
    MovementKind,
    OpeningStatus,
    PlanStatus,
    RecoveryStatus,
    ShipmentStatus,
    ShortReason,
    SignatureKind,
    StocktakeStatus,
)

GENDERS = [("M", pgettext_lazy("men's", "男款")), ("F", pgettext_lazy("women's", "女款"))]


class Location(models.Model):
    """Where stock can be: a supplier, a unit's store (the province's is the provincial store), a unit's
    in-transit and discrepancy accounts, an officer, written off, adjustments. `key` is unique."""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(gettext_lazy("类型"), max_length=12, choices=LocationKind.choices)
    unit = models.ForeignKey(
        "personnel.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    officer = models.OneToOneField(
        "personnel.Officer", null=True, blank=True, on_delete=models.PROTECT, related_name="stock_location"
    )
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=200)

    class Meta:
        verbose_name = gettext_lazy("库位")
        verbose_name_plural = pgettext_lazy("locations", "库位")
        indexes = [models.Index(fields=["kind", "unit"])]

    def __str__(self):
        return self.name


class Movement(models.Model):
    """One immutable movement of stock. Never updated or deleted; a correction is a reversing row."""

    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(pgettext_lazy("gender version", "款式"), max_length=1, choices=GENDERS)
    size = models.CharField(pgettext_lazy("size code", "号型"), max_length=20)
    quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "数量"))
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(gettext_lazy("类型"), max_length=12, choices=MovementKind.choices)
    doc_type = models.CharField(gettext_lazy("单据类型"), max_length=20, blank=True)
    doc_id = models.PositiveBigIntegerField(gettext_lazy("单据"), null=True, blank=True)
    doc_ref = models.CharField(gettext_lazy("单据号"), max_length=80, blank=True)
    reverses = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(pgettext_lazy("when", "时间"), default=timezone.now)
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("movement", "库存流水")
        verbose_name_plural = pgettext_lazy("movements", "库存流水")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="movement_quantity_positive"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="movement_moves"),
        ]
        indexes = [
            # balance of a location × item × gender × size at any date: two index range scans
            models.Index(fields=["to_location", "item", "gender", "size", "at"], name="mv_to_key_at"),
            models.Index(fields=["from_location", "item", "gender", "size", "at"], name="mv_from_key_at"),
            models.Index(fields=["doc_type", "doc_id"], name="mv_doc"),
        ]

    def __str__(self):
        return f"{self.kind} {self.item_id} {self.gender} {self.size} ×{self.quantity}"


class StockBalance(models.Model):
    """Current balance of a guarded location (not officers), kept with each movement; ≥ 0 by constraint.
    Its row is also what a service locks before taking stock out."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="balances")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    quantity = models.IntegerField(default=0)

    class Meta:
        verbose_name = pgettext_lazy("balance", "库存余额")
        verbose_name_plural = pgettext_lazy("balances", "库存余额")
        constraints = [
            models.UniqueConstraint(fields=["location", "item", "gender", "size"], name="balance_key"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_not_negative"),
        ]

    def __str__(self):
        return f"{self.location_id} {self.item_id} {self.gender} {self.size}: {self.quantity}"


class UnitFlow(models.Model):
    """Flows per destination unit × item × gender × size (the progress report's figures), kept with each
    movement. in transit = shipped − received − short by construction; verified against the ledger."""

    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    shipped = models.IntegerField(default=0)
    received = models.IntegerField(default=0)
    short = models.IntegerField(default=0)
    excess = models.IntegerField(default=0)
    issued = models.IntegerField(default=0)  # issued to officers net of returns and recoveries

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "item", "gender", "size"], name="flow_key")]

    def __str__(self):
        return f"{self.unit_id} {self.item_id} {self.gender} {self.size}"


class AllocationPlan(models.Model):
    """A city's allocation (and its counties'), from demand rows plus a share of the spare. Approved by
    provincial logistics; a later change is a new version (the old one is superseded, never edited)."""

    city = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    snapshot = models.ForeignKey(
        "assets.DemandSnapshot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="allocation_plans",
        verbose_name=pgettext_lazy("demand snapshot", "需求快照"),
    )
    spare_share = models.DecimalField(
        pgettext_lazy("spare share", "备用比例"), max_digits=5, decimal_places=4
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("allocation plan", "分配方案")
        verbose_name_plural = gettext_lazy("分配方案")
        constraints = [models.UniqueConstraint(fields=["city", "version"], name="plan_version")]
        ordering = ["city__code", "-version"]

    def __str__(self):
        return f"{self.city.code} v{self.version}"


class AllocationLine(models.Model):
    plan = models.ForeignKey(AllocationPlan, on_delete=models.PROTECT, related_name="lines")
    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()
    spare = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit", "item", "gender", "size"], name="plan_line_key")
        ]

    def __str__(self):
        return f"{self.plan_id}: {self.unit_id} {self.item_id} {self.gender} {self.size} ×{self.quantity}"


class Shipment(models.Model):
    number = models.CharField(gettext_lazy("发运单号"), max_length=30, unique=True)
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("destination", "收货单位"),
    )
    status = models.CharField(max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.DRAFT)
    plan = models.ForeignKey(
        AllocationPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("发运单")
        verbose_name_plural = pgettext_lazy("shipments", "发运单")
        ordering = ["-id"]

    def __str__(self):
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["shipment", "item", "gender", "size"], name="shipment_line_key"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_positive"),
        ]
        ordering = ["id"]

    def __str__(self):
        return f"{self.shipment_id}: {self.item_id} {self.gender} {self.size} ×{self.quantity}"


class Receipt(models.Model):
    """The destination's confirmation of a shipment (签收), once. `payload_hash` makes a resend idempotent."""

    shipment = models.OneToOneField(Shipment, on_delete=models.PROTECT, related_name="receipt")
    payload_hash = models.CharField(max_length=64)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=300, blank=True)

    def __str__(self):
        return gettext("签收 发运单 {shipment_id}").format(shipment_id=self.shipment_id)


class ReceiptLine(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="lines")
    shipment_line = models.ForeignKey(
        ShipmentLine, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )  # null: excess that was not shipped
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)
    short = models.PositiveIntegerField(default=0)
    excess = models.PositiveIntegerField(default=0)
    reason = models.CharField(max_length=10, choices=ShortReason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.receipt_id}: {self.item_id} {self.gender} {self.size} +{self.received} -{self.short}"


class ReceiptPhoto(models.Model):
    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(upload_to="distribution/receipts/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.file.name


class DiscrepancyCase(models.Model):
    """A shortage on a confirmed shipment line, for provincial logistics to settle."""

    shipment = models.ForeignKey(Shipment, on_delete=models.PROTECT, related_name="cases")
    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()
    reason = models.CharField(max_length=10, choices=ShortReason.choices)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    outcome = models.CharField(max_length=10, choices=CaseOutcome.choices, blank=True)
    reship = models.ForeignKey(Shipment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    settle_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("discrepancy case", "差异处理")
        verbose_name_plural = gettext_lazy("差异处理")
        ordering = ["-id"]

    def __str__(self):
        return gettext("差异 {pk}（{status}）").format(pk=self.pk, status=self.status)


class IssueRecord(models.Model):
    """One officer signing for what they were issued (签领)."""

    officer = models.ForeignKey("personnel.Officer", on_delete=models.PROTECT, related_name="issues")
    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    signature = models.CharField(max_length=6, choices=SignatureKind.choices)
    signed_on = models.DateField()
    sheet = models.FileField(upload_to="distribution/signatures/%Y/%m/", blank=True)
    kind = models.CharField(max_length=10, default="issue")  # issue / exchange
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"签领 {self.officer_id} {self.signed_on}"


class BadgeSequence(models.Model):
    """The province's one counter of badge numbers (胸号): a number handed out is never handed out again."""

    name = models.CharField(max_length=20, unique=True, default="province")
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last}"


class BadgeNumber(models.Model):
    officer = models.OneToOneField("personnel.Officer", on_delete=models.PROTECT, related_name="badge")
    number = models.PositiveIntegerField(unique=True)
    assigned_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.number:06d}"

    @property
    def code(self) -> str:
        return f"{self.number:06d}"


class RecoveryTask(models.Model):
    """Items an officer who left must return (收回); open until everything expected came back or was
    written off."""

    officer = models.ForeignKey("personnel.Officer", on_delete=models.PROTECT, related_name="recoveries")
    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20)
    expected = models.JSONField(default=list)  # [{item, gender, size, quantity}]
    status = models.CharField(max_length=6, choices=RecoveryStatus.choices, default=RecoveryStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["officer"], condition=Q(status="open"), name="one_open_recovery")
        ]

    def __str__(self):
        return gettext("收回 {officer_id}（{status}）").format(officer_id=self.officer_id, status=self.status)


class Stocktake(models.Model):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=StocktakeStatus.choices, default=StocktakeStatus.SUBMITTED
    )
    counted_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return gettext("盘点 {pk} {unit_id}（{status}）").format(
            pk=self.pk, unit_id=self.unit_id, status=self.status
        )


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    ledger = models.IntegerField()
    counted = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.stocktake_id}: {self.item_id} {self.gender} {self.size}"


class OpeningBalance(models.Model):
    """期初余额: what a unit's store held when the system went live, submitted by that unit's staff (or the
    province) and posted to the ledger once provincial logistics approve it (never the submitter)."""

    unit = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("单位")
    )
    number = models.CharField(gettext_lazy("单号"), max_length=40, unique=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.SUBMITTED
    )
    as_of = models.DateField(gettext_lazy("盘点日期"))
    payload_hash = models.CharField(max_length=64, blank=True)
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("提交人"),
    )
    created_at = models.DateTimeField(pgettext_lazy("submitted at", "提交时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("审批人"),
    )
    decided_at = models.DateTimeField(gettext_lazy("审批时间"), null=True, blank=True)
    decision_note = models.CharField(gettext_lazy("审批意见"), max_length=300, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = gettext_lazy("期初余额")
        verbose_name_plural = pgettext_lazy("opening balances", "期初余额")

    def __str__(self):
        return self.number


class OpeningBalanceLine(models.Model):
    opening = models.ForeignKey(OpeningBalance, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(max_length=1, choices=GENDERS)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField(pgettext_lazy("quantity", "数量"))

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="opening_line_quantity_positive"),
            models.UniqueConstraint(fields=["opening", "item", "gender", "size"], name="opening_line_unique"),
        ]

    def __str__(self):
        return f"{self.opening_id}: {self.item_id} {self.gender} {self.size} × {self.quantity}"


class IdempotentRequest(models.Model):
    """A write sent with an Idempotency-Key: the same key and payload get the stored answer again; the same
    key with another payload is refused (409)."""

    key = models.CharField(max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=60)
    payload_hash = models.CharField(max_length=64)
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
