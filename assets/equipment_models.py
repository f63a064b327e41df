"""Station equipment (执法站所装备): types, the standard kit per station class, the register, transfer and
disposal requests, and condition surveys. Stations themselves are personnel.OrgUnit rows (level station)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from .equipment_choices import (
    Condition,
    EquipmentCategory,
    ItemSource,
    ItemStatus,
    RequestKind,
    RequestStatus,
    ReturnStatus,
    StationClass,
    SurveyStatus,
)

__all__ = [
    "EquipmentType",
    "StandardKitLine",
    "EquipmentItem",
    "EquipmentRequest",
    "Survey",
    "SurveyReturn",
    "SurveyEntry",
    "SurveyPhoto",
]

STATION = "personnel.OrgUnit"


class EquipmentType(models.Model):
    code = models.CharField("代码 code", max_length=30, unique=True)
    name = models.CharField("名称 name", max_length=100)
    name_en = models.CharField("英文名 English name", max_length=100, blank=True)
    category = models.CharField("类别 category", max_length=20, choices=EquipmentCategory.choices)
    unit_price = models.DecimalField(
        "单价估算 unit price estimate (CNY)",
        max_digits=16,
        decimal_places=6,
        validators=[MinValueValidator(0)],
    )
    service_life_years = models.PositiveIntegerField(
        "使用年限 service life (years)", validators=[MinValueValidator(1)]
    )
    spec = models.CharField("规格要求 specification", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("启用 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "站所装备类型 equipment type"
        verbose_name_plural = "站所装备类型 equipment types"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class StandardKitLine(models.Model):
    """The standard kit (标准配置): how many of a type a station of a class must have. Quantity 0 means
    no longer required (lines are never deleted, so the history stays readable)."""

    station_class = models.CharField("站所类别 station class", max_length=30, choices=StationClass.choices)
    equipment_type = models.ForeignKey(
        EquipmentType,
        on_delete=models.PROTECT,
        related_name="kit_lines",
        verbose_name="装备类型 equipment type",
    )
    quantity = models.PositiveIntegerField("标准数量 required quantity")
    note = models.CharField("备注 note", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "标准配置 standard kit line"
        verbose_name_plural = "标准配置 standard kit"
        ordering = ["station_class", "equipment_type__sort_order", "equipment_type__code"]
        constraints = [
            models.UniqueConstraint(fields=["station_class", "equipment_type"], name="kit_line_unique")
        ]

    def __str__(self):
        return f"{self.get_station_class_display()} · {self.equipment_type.name} × {self.quantity}"


class EquipmentItem(models.Model):
    """One piece of equipment on the register (装备台账). Never deleted: disposal is a status."""

    asset_tag = models.CharField("资产编号 asset tag", max_length=40, unique=True)
    equipment_type = models.ForeignKey(
        EquipmentType, on_delete=models.PROTECT, related_name="items", verbose_name="装备类型 equipment type"
    )
    serial_number = models.CharField("序列号 serial number", max_length=60, blank=True)
    station = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="equipment", verbose_name="站所 station"
    )
    acquired_on = models.DateField("购置日期 acquired on", null=True, blank=True)
    acquired_value = models.DecimalField(
        "购置金额 acquired value (CNY)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    condition = models.CharField(
        "状况 condition", max_length=20, choices=Condition.choices, default=Condition.GOOD
    )
    status = models.CharField(
        "状态 status", max_length=20, choices=ItemStatus.choices, default=ItemStatus.IN_USE
    )
    source = models.CharField(
        "来源 source", max_length=20, choices=ItemSource.choices, default=ItemSource.REGISTER
    )
    note = models.CharField("备注 note", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "站所装备 equipment item"
        verbose_name_plural = "站所装备台账 equipment register"
        ordering = ["station__path", "equipment_type__sort_order", "asset_tag"]
        indexes = [models.Index(fields=["station", "equipment_type", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~models.Q(serial_number=""),
                name="equipment_serial_unique",
            ),
        ]

    def __str__(self):
        return f"{self.asset_tag} {self.equipment_type.name}" if self.equipment_type_id else self.asset_tag


class EquipmentRequest(models.Model):
    """A transfer to another station or a disposal, requested by the county (or city) holding the item
    and decided by the level above (`approval_unit`)."""

    kind = models.CharField("类型 kind", max_length=10, choices=RequestKind.choices)
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="requests")
    from_station = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="+", verbose_name="调出站所 from station"
    )
    to_station = models.ForeignKey(
        STATION,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name="调入站所 to station",
    )
    approval_unit = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="+", verbose_name="审批单位 approving unit"
    )
    reason = models.CharField("理由 reason", max_length=300)
    status = models.CharField(
        "状态 status", max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField("审批意见 decision note", max_length=300, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "调拨/报废申请 transfer or disposal request"
        verbose_name_plural = "调拨/报废申请 transfer and disposal requests"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="pending"), name="equipment_one_pending_request"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.item_id} ({self.get_status_display()})"


class Survey(models.Model):
    """A condition survey (装备清查) the province opens for every station; closed, it is the dated record."""

    name = models.CharField("清查名称 campaign", max_length=100)
    opened_on = models.DateField("开始日期 opened on")
    deadline = models.DateField("截止日期 deadline")
    status = models.CharField(
        "状态 status", max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    closed_on = models.DateField("结束日期 closed on", null=True, blank=True)
    note = models.CharField("说明 note", max_length=300, blank=True)
    summary = models.JSONField("结束时汇总 summary at closing", default=dict, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "装备清查 condition survey"
        verbose_name_plural = "装备清查 condition surveys"
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="open"), name="equipment_one_open_survey"
            )
        ]

    def __str__(self):
        return self.name


class SurveyReturn(models.Model):
    """One station's return for a survey: graded by the station, confirmed by its county."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="returns")
    station = models.ForeignKey(STATION, on_delete=models.PROTECT, related_name="survey_returns")
    status = models.CharField(
        "状态 status", max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField("说明 note", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "站所清查表 station return"
        verbose_name_plural = "站所清查表 station returns"
        ordering = ["survey", "station__path"]
        constraints = [models.UniqueConstraint(fields=["survey", "station"], name="survey_return_unique")]

    def __str__(self):
        return f"{self.survey} · {self.station}"


class SurveyEntry(models.Model):
    """The grade a station gave one item in a survey (or an item it found that was not on the register)."""

    survey_return = models.ForeignKey(SurveyReturn, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="survey_entries")
    condition = models.CharField("状况 condition", max_length=20, choices=Condition.choices)
    note = models.CharField("说明 note", max_length=300, blank=True)
    found = models.BooleanField("清查新发现 found, not on the register", default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "清查记录 survey entry"
        verbose_name_plural = "清查记录 survey entries"
        constraints = [models.UniqueConstraint(fields=["survey_return", "item"], name="survey_entry_unique")]

    def __str__(self):
        return f"{self.item_id}: {self.condition}"


class SurveyPhoto(models.Model):
    entry = models.ForeignKey(SurveyEntry, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField("照片 photo", upload_to="equipment/surveys/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "清查照片 survey photo"
        verbose_name_plural = "清查照片 survey photos"
        ordering = ["id"]

    def __str__(self):
        return self.file.name
