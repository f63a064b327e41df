"""Statuses with their allowed transitions, location kinds and movement kinds."""

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class LocationKind(models.TextChoices):
    SUPPLIER = "supplier", gettext_lazy("供应商")
    UNIT = "unit", gettext_lazy("单位库存")  # the provincial store is the province unit's stock
    TRANSIT = "transit", gettext_lazy("在途")  # one per destination unit
    DISCREPANCY = "discrepancy", gettext_lazy("差异待处理")  # short goods per destination unit, until settled
    OFFICER = "officer", gettext_lazy("个人")
    WRITTEN_OFF = "written_off", gettext_lazy("核销")
    ADJUSTMENT = "adjustment", gettext_lazy("盘盈盘亏/溢余")


# Locations that hold real stock: no movement may take their balance below zero.
GUARDED = {LocationKind.UNIT, LocationKind.TRANSIT, LocationKind.DISCREPANCY, LocationKind.OFFICER}


class MovementKind(models.TextChoices):
    RECEIVE = "receive", pgettext_lazy("receipt from supplier", "验收入库")
    DISPATCH = "dispatch", pgettext_lazy("dispatch", "发运")
    RECEIPT = "receipt", pgettext_lazy("received in good order", "签收")
    SHORT = "short", gettext_lazy("短少/损坏/错发")
    EXCESS = "excess", gettext_lazy("溢余")
    ISSUE = "issue", pgettext_lazy("issue to officer", "发放")
    RETURN = "return", pgettext_lazy("return from officer", "退回")
    RECOVERY = "recovery", gettext_lazy("收回")
    WRITE_OFF = "write_off", pgettext_lazy("write-off", "核销")
    CLAIM = "claim", gettext_lazy("索赔退供应商")
    ADJUSTMENT = "adjustment", gettext_lazy("盘点调整")
    REVERSAL = "reversal", pgettext_lazy("reversal", "冲正")
    OPENING = "opening", gettext_lazy("期初余额")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    APPROVED = "approved", gettext_lazy("已批准")
    SUPERSEDED = "superseded", gettext_lazy("已被新版本取代")


PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.APPROVED},
    PlanStatus.APPROVED: {PlanStatus.SUPERSEDED},
    PlanStatus.SUPERSEDED: set(),
}


class ShipmentStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草稿")
    DISPATCHED = "dispatched", pgettext_lazy("dispatched", "已发运")
    RECEIVED = "received", gettext_lazy("已签收")
    DISCREPANT = "discrepant", gettext_lazy("签收有差异")
    CLOSED = "closed", gettext_lazy("已关闭")
    CANCELLED = "cancelled", gettext_lazy("已取消")


SHIPMENT_TRANSITIONS = {
    ShipmentStatus.DRAFT: {ShipmentStatus.DISPATCHED, ShipmentStatus.CANCELLED},
    ShipmentStatus.DISPATCHED: {ShipmentStatus.RECEIVED, ShipmentStatus.DISCREPANT},
    ShipmentStatus.RECEIVED: {ShipmentStatus.CLOSED},
    ShipmentStatus.DISCREPANT: {ShipmentStatus.CLOSED},
    ShipmentStatus.CLOSED: set(),
    ShipmentStatus.CANCELLED: set(),
}


class ShortReason(models.TextChoices):
    MISSING = "missing", gettext_lazy("缺少")
    DAMAGED = "damaged", gettext_lazy("损坏")
    WRONG = "wrong", gettext_lazy("错发(发来其他号型或品类)")


class CaseStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("待处理")
    SETTLED = "settled", gettext_lazy("已处理")


class CaseOutcome(models.TextChoices):
    RESHIP = "reship", gettext_lazy("补发")
    WRITE_OFF = "write_off", pgettext_lazy("write off", "核销")
    CLAIM = "claim", gettext_lazy("向供应商索赔")


class SignatureKind(models.TextChoices):
    SHEET = "sheet", gettext_lazy("签领表扫描件")
    ACK = "ack", gettext_lazy("本人确认")


class RecoveryStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("open", "待收回")
    DONE = "done", gettext_lazy("已完成")


class StocktakeStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("submitted", "待审批")
    APPROVED = "approved", gettext_lazy("已批准")
    REJECTED = "rejected", gettext_lazy("已驳回")


class OpeningStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("submitted", "待审批")
    POSTED = "posted", gettext_lazy("已审批入账")
    REJECTED = "rejected", gettext_lazy("已驳回")


OPENING_TRANSITIONS = {
    OpeningStatus.SUBMITTED: {OpeningStatus.POSTED, OpeningStatus.REJECTED},
    OpeningStatus.POSTED: set(),
    OpeningStatus.REJECTED: set(),
}


STOCKTAKE_TRANSITIONS = {
    StocktakeStatus.SUBMITTED: {StocktakeStatus.APPROVED, StocktakeStatus.REJECTED},
    StocktakeStatus.APPROVED: set(),
    StocktakeStatus.REJECTED: set(),
}
