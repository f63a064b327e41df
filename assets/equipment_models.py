"""Station equipment (执法站所装备): types, the standard kit per station class, the register, transfer and
disposal requests, and condition surveys. Stations themselves are personnel.OrgUnit rows (level station)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

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
    code = models.CharField(gettext_lazy("代码"), max_length=30, unique=True)
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=100)
    name_en = models.CharField(gettext_lazy("英文名"), max_length=100, blank=True)
    category = models.CharField(
        pgettext_lazy("category", "类别"), max_length=20, choices=EquipmentCategory.choices
    )
    unit_price = models.DecimalField(
        pgettext_lazy("unit price estimate (CNY)", "单价估算"),
        max_digits=16,
        decimal_places=6,
        validators=[MinValueValidator(0)],
    )
    service_life_years = models.PositiveIntegerField(
        gettext_lazy("使用年限"), validators=[MinValueValidator(1)]
    )
    spec = models.CharField(gettext_lazy("规格要求"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("站所装备类型")
        verbose_name_plural = pgettext_lazy("equipment types", "站所装备类型")
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class StandardKitLine(models.Model):
    """The standard kit (标准配置): how many of a type a station of a class must have. Quantity 0 means
    no longer required (lines are never deleted, so the history stays readable)."""

    station_class = models.CharField(gettext_lazy("站所类别"), max_length=30, choices=StationClass.choices)
    equipment_type = models.ForeignKey(
        EquipmentType,
        on_delete=models.PROTECT,
        related_name="kit_lines",
        verbose_name=gettext_lazy("装备类型"),
    )
    quantity = models.PositiveIntegerField(gettext_lazy("标准数量"))
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("standard kit line", "标准配置")
        verbose_name_plural = pgettext_lazy("standard kit", "标准配置")
        ordering = ["station_class", "equipment_type__sort_order", "equipment_type__code"]
        constraints = [
            models.UniqueConstraint(fields=["station_class", "equipment_type"], name="kit_line_unique")
        ]

    def __str__(self):
        return f"{self.get_station_class_display()} · {self.equipment_type.name} × {self.quantity}"


class EquipmentItem(models.Model):
    """One piece of equipment on the register (装备台账). Never deleted: disposal is a status."""

    asset_tag = models.CharField(gettext_lazy("资产编号"), max_length=40, unique=True)
    equipment_type = models.ForeignKey(
        EquipmentType, on_delete=models.PROTECT, related_name="items", verbose_name=gettext_lazy("装备类型")
    )
    serial_number = models.CharField(gettext_lazy("序列号"), max_length=60, blank=True)
    station = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="equipment", verbose_name=gettext_lazy("站所")
    )
    acquired_on = models.DateField(gettext_lazy("购置日期"), null=True, blank=True)
    acquired_value = models.DecimalField(
        pgettext_lazy("acquired value (CNY)", "购置金额"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    condition = models.CharField(
        gettext_lazy("状况"), max_length=20, choices=Condition.choices, default=Condition.GOOD
    )
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.IN_USE
    )
    source = models.CharField(
        gettext_lazy("来源"), max_length=20, choices=ItemSource.choices, default=ItemSource.REGISTER
    )
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("equipment item", "站所装备")
        verbose_name_plural = gettext_lazy("站所装备台账")
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

    kind = models.CharField(gettext_lazy("类型"), max_length=10, choices=RequestKind.choices)
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="requests")
    from_station = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("调出站所")
    )
    to_station = models.ForeignKey(
        STATION,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=gettext_lazy("调入站所"),
    )
    approval_unit = models.ForeignKey(
        STATION, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("审批单位")
    )
    reason = models.CharField(gettext_lazy("理由"), max_length=300)
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(gettext_lazy("审批意见"), max_length=300, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("调拨/报废申请")
        verbose_name_plural = pgettext_lazy("transfer and disposal requests", "调拨/报废申请")
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

    name = models.CharField(gettext_lazy("清查名称"), max_length=100)
    opened_on = models.DateField(gettext_lazy("开始日期"))
    deadline = models.DateField(gettext_lazy("截止日期"))
    status = models.CharField(
        gettext_lazy("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.OPEN
    )
    closed_on = models.DateField(gettext_lazy("结束日期"), null=True, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=300, blank=True)
    summary = models.JSONField(gettext_lazy("结束时汇总"), default=dict, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("condition survey", "装备清查")
        verbose_name_plural = pgettext_lazy("condition surveys", "装备清查")
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
        gettext_lazy("状态"), max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.DRAFT
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(gettext_lazy("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("station return", "站所清查表")
        verbose_name_plural = pgettext_lazy("station returns", "站所清查表")
        ordering = ["survey", "station__path"]
        constraints = [models.UniqueConstraint(fields=["survey", "station"], name="survey_return_unique")]

    def __str__(self):
        return f"{self.survey} · {self.station}"


class SurveyEntry(models.Model):
    """The grade a station gave one item in a survey (or an item it found that was not on the register)."""

    survey_return = models.ForeignKey(SurveyReturn, on_delete=models.PROTECT, related_name="entries")
    item = models.ForeignKey(EquipmentItem, on_delete=models.PROTECT, related_name="survey_entries")
    condition = models.CharField(gettext_lazy("状况"), max_length=20, choices=Condition.choices)
    note = models.CharField(gettext_lazy("说明"), max_length=300, blank=True)
    found = models.BooleanField(gettext_lazy("清查新发现"), default=False)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("清查记录")
        verbose_name_plural = pgettext_lazy("survey entries", "清查记录")
        constraints = [models.UniqueConstraint(fields=["survey_return", "item"], name="survey_entry_unique")]

    def __str__(self):
        return f"{self.item_id}: {self.condition}"


class SurveyPhoto(models.Model):
    entry = models.ForeignKey(SurveyEntry, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(gettext_lazy("照片"), upload_to="equipment/surveys/%Y/%m/")
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("清查照片")
        verbose_name_plural = pgettext_lazy("survey photos", "清查照片")
        ordering = ["id"]

    def __str__(self):
        return self.file.name
