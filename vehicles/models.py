from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy, pgettext_lazy

from .choices import (
    DisposalMethod,
    DisposalStatus,
    FundingSource,
    MaintenanceKind,
    PolicyKind,
    PurchaseStage,
    QuotaRecordKind,
    VehicleStatus,
    VehicleType,
)


class ScopedQuerySet(models.QuerySet):
    """restrict(user) for core.api's history endpoint and the selectors; `scope_prefix` names the unit."""

    scope_prefix = "unit"

    def restrict(self, user):
        from core.scope import restrict

        return restrict(self, user, prefix=self.scope_prefix)


def _scoped(prefix: str):
    return type(f"ScopedQuerySet_{prefix.replace('__', '_')}", (ScopedQuerySet,), {"scope_prefix": prefix})


class QuotaRecord(models.Model):
    """One allocation document (文件号). Quotas are never edited: each change is a new record whose lines
    change city quotas and whose `total_change` changes the province's total. The current quota of a
    city is the sum of its lines; the total is the sum of the records' total_change."""

    doc_number = models.CharField(gettext_lazy("文件号"), max_length=80, unique=True)
    doc_date = models.DateField(gettext_lazy("发文日期"))
    kind = models.CharField(gettext_lazy("类型"), max_length=16, choices=QuotaRecordKind.choices)
    reason = models.CharField(gettext_lazy("事由"), max_length=500)
    total_change = models.IntegerField(gettext_lazy("总数变化"), default=0)
    total_after = models.PositiveIntegerField(gettext_lazy("变更后总数"), default=0)
    allocated_after = models.PositiveIntegerField(gettext_lazy("变更后已分配"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("编制文件")
        verbose_name_plural = pgettext_lazy("quota records", "编制文件")
        ordering = ["-doc_date", "-id"]

    def __str__(self):
        return self.doc_number


class QuotaLine(models.Model):
    record = models.ForeignKey(QuotaRecord, on_delete=models.PROTECT, related_name="lines")
    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("市州")
    )
    change = models.IntegerField(gettext_lazy("编制变化"))
    quota_after = models.PositiveIntegerField(gettext_lazy("变更后编制"))

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = gettext_lazy("编制明细")
        verbose_name_plural = pgettext_lazy("quota lines", "编制明细")
        constraints = [models.UniqueConstraint(fields=["record", "city"], name="quota_line_once_per_city")]
        ordering = ["record_id", "city__code"]

    def __str__(self):
        return f"{self.record} {self.city_id} {self.change:+d}"


class QuotaException(models.Model):
    """Provincial logistics lets a city hold `extra` vehicles beyond its quota, for a stated reason."""

    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("市州")
    )
    extra = models.PositiveIntegerField(gettext_lazy("超编数"), validators=[MinValueValidator(1)])
    reason = models.CharField(gettext_lazy("理由"), max_length=500)
    doc_number = models.CharField(gettext_lazy("文件号"), max_length=80, blank=True)
    is_active = models.BooleanField(pgettext_lazy("active", "有效"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("quota exception", "超编例外")
        verbose_name_plural = pgettext_lazy("quota exceptions", "超编例外")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(extra__gte=1), name="quota_exception_extra_positive")
        ]

    def __str__(self):
        return f"{self.city_id} +{self.extra}"


class Purchase(models.Model):
    """A city's purchase of vehicles, moving through its stages (see choices.STAGE_TRANSITIONS)."""

    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("市州")
    )
    title = models.CharField(gettext_lazy("项目名称"), max_length=200)
    quantity = models.PositiveIntegerField(
        pgettext_lazy("quantity", "数量"), validators=[MinValueValidator(1)]
    )
    budget_amount = models.DecimalField(
        pgettext_lazy("budget (yuan)", "预算金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_amount = models.DecimalField(
        pgettext_lazy("contract amount (yuan)", "合同金额"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
    )
    supplier = models.CharField(gettext_lazy("供应商"), max_length=200, blank=True)
    stage = models.CharField(
        gettext_lazy("阶段"),
        max_length=20,
        choices=PurchaseStage.choices,
        default=PurchaseStage.BUDGET_APPROVED,
    )
    stage_date = models.DateField(gettext_lazy("阶段日期"))
    remarks = models.CharField(pgettext_lazy("remarks", "备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = gettext_lazy("车辆购置")
        verbose_name_plural = pgettext_lazy("purchases", "车辆购置")
        ordering = ["city__code", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_quantity_positive")
        ]

    def __str__(self):
        return self.title


class PurchaseEvent(models.Model):
    """A stage the purchase reached: when, on what document. Append-only."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="events")
    stage = models.CharField(gettext_lazy("阶段"), max_length=20, choices=PurchaseStage.choices)
    date = models.DateField(gettext_lazy("日期"))
    document = models.CharField(gettext_lazy("文件/凭证"), max_length=200, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("purchase event", "购置进度")
        verbose_name_plural = pgettext_lazy("purchase events", "购置进度")
        ordering = ["purchase_id", "date", "id"]

    def __str__(self):
        return f"{self.purchase_id} {self.stage} {self.date}"


class Vehicle(models.Model):
    """A vehicle on the register. Scope follows the owning unit."""

    plate = models.CharField(gettext_lazy("号牌号码"), max_length=10, blank=True)
    vin = models.CharField(gettext_lazy("车辆识别代号"), max_length=17, unique=True)
    engine_number = models.CharField(gettext_lazy("发动机号"), max_length=30, blank=True)
    brand = models.CharField(pgettext_lazy("brand", "品牌"), max_length=50)
    model = models.CharField(gettext_lazy("型号"), max_length=80, blank=True)
    vehicle_type = models.CharField(
        pgettext_lazy("vehicle type", "车辆类型"),
        max_length=20,
        choices=VehicleType.choices,
        default=VehicleType.SMALL_PASSENGER,
    )
    purchase_date = models.DateField(pgettext_lazy("purchase date", "购置日期"), null=True, blank=True)
    purchase_price = models.DecimalField(
        pgettext_lazy("purchase price (yuan)", "购置价格"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_source = models.CharField(
        pgettext_lazy("funding source", "资金来源"), max_length=16, choices=FundingSource.choices, blank=True
    )
    purchase = models.ForeignKey(
        Purchase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name=gettext_lazy("购置项目"),
    )
    owning_unit = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name=gettext_lazy("所属单位"),
    )
    station = models.ForeignKey(
        "personnel.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="station_vehicles",
        verbose_name=gettext_lazy("驻站"),
    )
    driver = models.ForeignKey(
        "personnel.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name=pgettext_lazy("responsible driver", "责任驾驶员"),
    )
    status = models.CharField(
        gettext_lazy("状态"), max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.ON_ORDER
    )
    counts_against_quota = models.BooleanField(gettext_lazy("占执法车辆编制"), default=True)
    registered_on = models.DateField(
        pgettext_lazy("registration date", "注册登记日期"), null=True, blank=True
    )
    livery_fitted = models.BooleanField(gettext_lazy("统一标志涂装（公路法第73条）"), default=False)
    warning_lights_fitted = models.BooleanField(gettext_lazy("示警灯具（公路法第73条）"), default=False)
    equipment = models.JSONField(pgettext_lazy("equipment fitted", "随车装备"), default=list, blank=True)
    inspection_due = models.DateField(gettext_lazy("检验有效期至"), null=True, blank=True)
    inspection_due_manual = models.BooleanField(gettext_lazy("检验日期为人工填写"), default=False)
    odometer_km = models.PositiveIntegerField(
        pgettext_lazy("latest odometer (km)", "当前里程"), null=True, blank=True
    )
    disposed_on = models.DateField(gettext_lazy("处置日期"), null=True, blank=True)
    remarks = models.CharField(pgettext_lazy("remarks", "备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = _scoped("owning_unit").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("vehicle", "车辆")
        verbose_name_plural = gettext_lazy("车辆")
        ordering = ["owning_unit__path", "plate", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plate"], condition=~Q(plate=""), name="vehicle_plate_unique"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["inspection_due"])]

    def __str__(self):
        return self.plate or self.vin


class InsurancePolicy(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="policies")
    kind = models.CharField(gettext_lazy("险种"), max_length=12, choices=PolicyKind.choices)
    insurer = models.CharField(gettext_lazy("保险公司"), max_length=100)
    policy_number = models.CharField(pgettext_lazy("policy number", "保单号"), max_length=60)
    starts_on = models.DateField(gettext_lazy("起保日期"))
    ends_on = models.DateField(gettext_lazy("终保日期"))
    premium = models.DecimalField(
        gettext_lazy("保费"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField(pgettext_lazy("active", "有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = gettext_lazy("保险")
        verbose_name_plural = pgettext_lazy("insurance policies", "保险")
        ordering = ["vehicle_id", "kind", "-ends_on"]
        constraints = [
            models.UniqueConstraint(fields=["insurer", "policy_number"], name="policy_number_unique"),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="policy_dates_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.policy_number}"


class Inspection(models.Model):
    """A periodic inspection (安全技术检验) and the due date it gave."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="inspections")
    inspected_on = models.DateField(pgettext_lazy("inspected on", "检验日期"))
    passed = models.BooleanField(gettext_lazy("合格"), default=True)
    station_name = models.CharField(
        pgettext_lazy("inspection station", "检验机构"), max_length=100, blank=True
    )
    next_due = models.DateField(pgettext_lazy("valid until", "检验有效期至"), null=True, blank=True)
    note = models.CharField(gettext_lazy("备注"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("inspection", "检验记录")
        verbose_name_plural = gettext_lazy("检验记录")
        ordering = ["vehicle_id", "-inspected_on", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.inspected_on}"


class MaintenanceRecord(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="maintenance")
    date = models.DateField(gettext_lazy("日期"))
    kind = models.CharField(gettext_lazy("类别"), max_length=12, choices=MaintenanceKind.choices)
    workshop = models.CharField(gettext_lazy("维修单位"), max_length=100, blank=True)
    description = models.CharField(pgettext_lazy("description", "内容"), max_length=500)
    cost = models.DecimalField(
        gettext_lazy("费用"), max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    odometer_km = models.PositiveIntegerField(pgettext_lazy("odometer (km)", "里程"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("maintenance record", "维修保养")
        verbose_name_plural = pgettext_lazy("maintenance records", "维修保养")
        ordering = ["vehicle_id", "-date", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.date} {self.kind}"


class OdometerReading(models.Model):
    """Append-only; readings never decrease in date order (services refuse one that would)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="odometer_readings")
    read_on = models.DateField(gettext_lazy("日期"))
    km = models.PositiveIntegerField(gettext_lazy("里程（公里）"))
    note = models.CharField(gettext_lazy("备注"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("odometer reading", "里程读数")
        verbose_name_plural = gettext_lazy("里程读数")
        ordering = ["vehicle_id", "-read_on", "-km", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.read_on} {self.km} km"


class VehicleTransfer(models.Model):
    """A move of a vehicle between units (调拨). Append-only."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField(gettext_lazy("日期"))
    reason = models.CharField(gettext_lazy("事由"), max_length=500, blank=True)
    document = models.CharField(pgettext_lazy("document", "文件"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = pgettext_lazy("transfer", "调拨")
        verbose_name_plural = gettext_lazy("调拨")
        ordering = ["vehicle_id", "-date", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.from_unit_id}→{self.to_unit_id}"


class DisposalRequest(models.Model):
    """Disposal (报废/拍卖/调出) asked by the unit, decided by provincial logistics."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="disposals")
    method = models.CharField(gettext_lazy("处置方式"), max_length=16, choices=DisposalMethod.choices)
    reason = models.CharField(gettext_lazy("理由"), max_length=500)
    status = models.CharField(
        gettext_lazy("状态"), max_length=12, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(gettext_lazy("审批意见"), max_length=500, blank=True)
    document = models.CharField(gettext_lazy("批复文件"), max_length=200, blank=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = gettext_lazy("处置申请")
        verbose_name_plural = pgettext_lazy("disposal requests", "处置申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(status="requested"), name="one_open_disposal_per_vehicle"
            ),
        ]

    def __str__(self):
        return f"{self.vehicle_id} {self.method} {self.status}"
