from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

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

    doc_number = models.CharField("文件号 document number", max_length=80, unique=True)
    doc_date = models.DateField("发文日期 document date")
    kind = models.CharField("类型 kind", max_length=16, choices=QuotaRecordKind.choices)
    reason = models.CharField("事由 reason", max_length=500)
    total_change = models.IntegerField("总数变化 change of the total", default=0)
    total_after = models.PositiveIntegerField("变更后总数 total after", default=0)
    allocated_after = models.PositiveIntegerField("变更后已分配 allocated after", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "编制文件 quota record"
        verbose_name_plural = "编制文件 quota records"
        ordering = ["-doc_date", "-id"]

    def __str__(self):
        return self.doc_number


class QuotaLine(models.Model):
    record = models.ForeignKey(QuotaRecord, on_delete=models.PROTECT, related_name="lines")
    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="市州 city"
    )
    change = models.IntegerField("编制变化 change")
    quota_after = models.PositiveIntegerField("变更后编制 quota after")

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = "编制明细 quota line"
        verbose_name_plural = "编制明细 quota lines"
        constraints = [models.UniqueConstraint(fields=["record", "city"], name="quota_line_once_per_city")]
        ordering = ["record_id", "city__code"]

    def __str__(self):
        return f"{self.record} {self.city_id} {self.change:+d}"


class QuotaException(models.Model):
    """Provincial logistics lets a city hold `extra` vehicles beyond its quota, for a stated reason."""

    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="市州 city"
    )
    extra = models.PositiveIntegerField("超编数 extra vehicles", validators=[MinValueValidator(1)])
    reason = models.CharField("理由 reason", max_length=500)
    doc_number = models.CharField("文件号 document number", max_length=80, blank=True)
    is_active = models.BooleanField("有效 active", default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = "超编例外 quota exception"
        verbose_name_plural = "超编例外 quota exceptions"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(extra__gte=1), name="quota_exception_extra_positive")
        ]

    def __str__(self):
        return f"{self.city_id} +{self.extra}"


class Purchase(models.Model):
    """A city's purchase of vehicles, moving through its stages (see choices.STAGE_TRANSITIONS)."""

    city = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="市州 city"
    )
    title = models.CharField("项目名称 title", max_length=200)
    quantity = models.PositiveIntegerField("数量 quantity", validators=[MinValueValidator(1)])
    budget_amount = models.DecimalField(
        "预算金额 budget (yuan)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    contract_amount = models.DecimalField(
        "合同金额 contract amount (yuan)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    supplier = models.CharField("供应商 supplier", max_length=200, blank=True)
    stage = models.CharField(
        "阶段 stage", max_length=20, choices=PurchaseStage.choices, default=PurchaseStage.BUDGET_APPROVED
    )
    stage_date = models.DateField("阶段日期 date of the stage")
    remarks = models.CharField("备注 remarks", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = _scoped("city").as_manager()

    class Meta:
        verbose_name = "车辆购置 purchase"
        verbose_name_plural = "车辆购置 purchases"
        ordering = ["city__code", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="purchase_quantity_positive")
        ]

    def __str__(self):
        return self.title


class PurchaseEvent(models.Model):
    """A stage the purchase reached: when, on what document. Append-only."""

    purchase = models.ForeignKey(Purchase, on_delete=models.PROTECT, related_name="events")
    stage = models.CharField("阶段 stage", max_length=20, choices=PurchaseStage.choices)
    date = models.DateField("日期 date")
    document = models.CharField("文件/凭证 document", max_length=200, blank=True)
    note = models.CharField("说明 note", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "购置进度 purchase event"
        verbose_name_plural = "购置进度 purchase events"
        ordering = ["purchase_id", "date", "id"]

    def __str__(self):
        return f"{self.purchase_id} {self.stage} {self.date}"


class Vehicle(models.Model):
    """A vehicle on the register. Scope follows the owning unit."""

    plate = models.CharField("号牌号码 plate", max_length=10, blank=True)
    vin = models.CharField("车辆识别代号 VIN", max_length=17, unique=True)
    engine_number = models.CharField("发动机号 engine number", max_length=30, blank=True)
    brand = models.CharField("品牌 brand", max_length=50)
    model = models.CharField("型号 model", max_length=80, blank=True)
    vehicle_type = models.CharField(
        "车辆类型 vehicle type",
        max_length=20,
        choices=VehicleType.choices,
        default=VehicleType.SMALL_PASSENGER,
    )
    purchase_date = models.DateField("购置日期 purchase date", null=True, blank=True)
    purchase_price = models.DecimalField(
        "购置价格 purchase price (yuan)",
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    funding_source = models.CharField(
        "资金来源 funding source", max_length=16, choices=FundingSource.choices, blank=True
    )
    purchase = models.ForeignKey(
        Purchase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name="购置项目 purchase",
    )
    owning_unit = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name="所属单位 owning unit",
    )
    station = models.ForeignKey(
        "personnel.OrgUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="station_vehicles",
        verbose_name="驻站 station",
    )
    driver = models.ForeignKey(
        "personnel.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="vehicles",
        verbose_name="责任驾驶员 responsible driver",
    )
    status = models.CharField(
        "状态 status", max_length=16, choices=VehicleStatus.choices, default=VehicleStatus.ON_ORDER
    )
    counts_against_quota = models.BooleanField("占执法车辆编制 counts against the quota", default=True)
    registered_on = models.DateField("注册登记日期 registration date", null=True, blank=True)
    livery_fitted = models.BooleanField("统一标志涂装 livery fitted (公路法第73条)", default=False)
    warning_lights_fitted = models.BooleanField(
        "示警灯具 warning lights fitted (公路法第73条)", default=False
    )
    equipment = models.JSONField("随车装备 equipment fitted", default=list, blank=True)
    inspection_due = models.DateField("检验有效期至 inspection due", null=True, blank=True)
    inspection_due_manual = models.BooleanField(
        "检验日期为人工填写 inspection date set by hand", default=False
    )
    odometer_km = models.PositiveIntegerField("当前里程 latest odometer (km)", null=True, blank=True)
    disposed_on = models.DateField("处置日期 disposed on", null=True, blank=True)
    remarks = models.CharField("备注 remarks", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = _scoped("owning_unit").as_manager()

    class Meta:
        verbose_name = "车辆 vehicle"
        verbose_name_plural = "车辆 vehicles"
        ordering = ["owning_unit__path", "plate", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plate"], condition=~Q(plate=""), name="vehicle_plate_unique"),
        ]
        indexes = [models.Index(fields=["status"]), models.Index(fields=["inspection_due"])]

    def __str__(self):
        return self.plate or self.vin


class InsurancePolicy(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="policies")
    kind = models.CharField("险种 kind", max_length=12, choices=PolicyKind.choices)
    insurer = models.CharField("保险公司 insurer", max_length=100)
    policy_number = models.CharField("保单号 policy number", max_length=60)
    starts_on = models.DateField("起保日期 start")
    ends_on = models.DateField("终保日期 end")
    premium = models.DecimalField(
        "保费 premium (yuan)", max_digits=10, decimal_places=2, null=True, blank=True
    )
    is_active = models.BooleanField("有效 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "保险 insurance policy"
        verbose_name_plural = "保险 insurance policies"
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
    inspected_on = models.DateField("检验日期 inspected on")
    passed = models.BooleanField("合格 passed", default=True)
    station_name = models.CharField("检验机构 inspection station", max_length=100, blank=True)
    next_due = models.DateField("检验有效期至 valid until", null=True, blank=True)
    note = models.CharField("备注 note", max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "检验记录 inspection"
        verbose_name_plural = "检验记录 inspections"
        ordering = ["vehicle_id", "-inspected_on", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.inspected_on}"


class MaintenanceRecord(models.Model):
    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="maintenance")
    date = models.DateField("日期 date")
    kind = models.CharField("类别 kind", max_length=12, choices=MaintenanceKind.choices)
    workshop = models.CharField("维修单位 workshop", max_length=100, blank=True)
    description = models.CharField("内容 description", max_length=500)
    cost = models.DecimalField(
        "费用 cost (yuan)", max_digits=10, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    odometer_km = models.PositiveIntegerField("里程 odometer (km)", null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "维修保养 maintenance record"
        verbose_name_plural = "维修保养 maintenance records"
        ordering = ["vehicle_id", "-date", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.date} {self.kind}"


class OdometerReading(models.Model):
    """Append-only; readings never decrease in date order (services refuse one that would)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="odometer_readings")
    read_on = models.DateField("日期 date")
    km = models.PositiveIntegerField("里程 km")
    note = models.CharField("备注 note", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "里程读数 odometer reading"
        verbose_name_plural = "里程读数 odometer readings"
        ordering = ["vehicle_id", "-read_on", "-km", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.read_on} {self.km} km"


class VehicleTransfer(models.Model):
    """A move of a vehicle between units (调拨). Append-only."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="transfers")
    from_unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey("personnel.OrgUnit", on_delete=models.PROTECT, related_name="+")
    date = models.DateField("日期 date")
    reason = models.CharField("事由 reason", max_length=500, blank=True)
    document = models.CharField("文件 document", max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "调拨 transfer"
        verbose_name_plural = "调拨 transfers"
        ordering = ["vehicle_id", "-date", "-id"]

    def __str__(self):
        return f"{self.vehicle_id} {self.from_unit_id}→{self.to_unit_id}"


class DisposalRequest(models.Model):
    """Disposal (报废/拍卖/调出) asked by the unit, decided by provincial logistics."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.PROTECT, related_name="disposals")
    method = models.CharField("处置方式 method", max_length=16, choices=DisposalMethod.choices)
    reason = models.CharField("理由 reason", max_length=500)
    status = models.CharField(
        "状态 status", max_length=12, choices=DisposalStatus.choices, default=DisposalStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见 decision note", max_length=500, blank=True)
    document = models.CharField("批复文件 document", max_length=200, blank=True)

    objects = _scoped("vehicle__owning_unit").as_manager()

    class Meta:
        verbose_name = "处置申请 disposal request"
        verbose_name_plural = "处置申请 disposal requests"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["vehicle"], condition=Q(status="requested"), name="one_open_disposal_per_vehicle"
            ),
        ]

    def __str__(self):
        return f"{self.vehicle_id} {self.method} {self.status}"
