"""Statuses with their allowed transitions, location kinds and movement kinds."""

from django.db import models


class LocationKind(models.TextChoices):
    SUPPLIER = "supplier", "供应商 supplier"
    UNIT = "unit", "单位库存 unit store"  # the provincial store is the province unit's stock
    TRANSIT = "transit", "在途 in transit"  # one per destination unit
    DISCREPANCY = "discrepancy", "差异待处理 discrepancy"  # short goods per destination unit, until settled
    OFFICER = "officer", "个人 officer"
    WRITTEN_OFF = "written_off", "核销 written off"
    ADJUSTMENT = "adjustment", "盘盈盘亏/溢余 adjustments and excess"


# Locations that hold real stock: no movement may take their balance below zero.
GUARDED = {LocationKind.UNIT, LocationKind.TRANSIT, LocationKind.DISCREPANCY, LocationKind.OFFICER}


class MovementKind(models.TextChoices):
    RECEIVE = "receive", "验收入库 receipt from supplier"
    DISPATCH = "dispatch", "发运 dispatch"
    RECEIPT = "receipt", "签收 received in good order"
    SHORT = "short", "短少/损坏/错发 short"
    EXCESS = "excess", "溢余 excess"
    ISSUE = "issue", "发放 issue to officer"
    RETURN = "return", "退回 return from officer"
    RECOVERY = "recovery", "收回 recovery"
    WRITE_OFF = "write_off", "核销 write-off"
    CLAIM = "claim", "索赔退供应商 claim from supplier"
    ADJUSTMENT = "adjustment", "盘点调整 stocktake adjustment"
    REVERSAL = "reversal", "冲正 reversal"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "草稿 draft"
    APPROVED = "approved", "已批准 approved"
    SUPERSEDED = "superseded", "已被新版本取代 superseded"


PLAN_TRANSITIONS = {
    PlanStatus.DRAFT: {PlanStatus.APPROVED},
    PlanStatus.APPROVED: {PlanStatus.SUPERSEDED},
    PlanStatus.SUPERSEDED: set(),
}


class ShipmentStatus(models.TextChoices):
    DRAFT = "draft", "草稿 draft"
    DISPATCHED = "dispatched", "已发运 dispatched"
    RECEIVED = "received", "已签收 received"
    DISCREPANT = "discrepant", "签收有差异 received with discrepancies"
    CLOSED = "closed", "已关闭 closed"
    CANCELLED = "cancelled", "已取消 cancelled"


SHIPMENT_TRANSITIONS = {
    ShipmentStatus.DRAFT: {ShipmentStatus.DISPATCHED, ShipmentStatus.CANCELLED},
    ShipmentStatus.DISPATCHED: {ShipmentStatus.RECEIVED, ShipmentStatus.DISCREPANT},
    ShipmentStatus.RECEIVED: {ShipmentStatus.CLOSED},
    ShipmentStatus.DISCREPANT: {ShipmentStatus.CLOSED},
    ShipmentStatus.CLOSED: set(),
    ShipmentStatus.CANCELLED: set(),
}


class ShortReason(models.TextChoices):
    MISSING = "missing", "缺少 missing"
    DAMAGED = "damaged", "损坏 damaged"
    WRONG = "wrong", "错发(发来其他号型或品类) wrong size or item sent instead"


class CaseStatus(models.TextChoices):
    OPEN = "open", "待处理 open"
    SETTLED = "settled", "已处理 settled"


class CaseOutcome(models.TextChoices):
    RESHIP = "reship", "补发 re-ship"
    WRITE_OFF = "write_off", "核销 write off"
    CLAIM = "claim", "向供应商索赔 claim from supplier"


class SignatureKind(models.TextChoices):
    SHEET = "sheet", "签领表扫描件 signed sheet"
    ACK = "ack", "本人确认 acknowledgement"


class RecoveryStatus(models.TextChoices):
    OPEN = "open", "待收回 open"
    DONE = "done", "已完成 done"


class StocktakeStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审批 submitted"
    APPROVED = "approved", "已批准 approved"
    REJECTED = "rejected", "已驳回 rejected"


STOCKTAKE_TRANSITIONS = {
    StocktakeStatus.SUBMITTED: {StocktakeStatus.APPROVED, StocktakeStatus.REJECTED},
    StocktakeStatus.APPROVED: set(),
    StocktakeStatus.REJECTED: set(),
}
