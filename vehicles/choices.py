"""Statuses and kinds of the vehicles app, with the allowed transitions beside them."""

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class QuotaRecordKind(models.TextChoices):
    ALLOCATION = "allocation", gettext_lazy("编制分配")
    ADJUSTMENT = "adjustment", gettext_lazy("编制调整")
    TRANSFER = "transfer", gettext_lazy("编制调剂")
    TOTAL_CHANGE = "total_change", gettext_lazy("编制总数变更")


class PurchaseStage(models.TextChoices):
    BUDGET_APPROVED = "budget_approved", gettext_lazy("预算批复")
    PROCUREMENT = "procurement", gettext_lazy("采购中")
    CONTRACT_SIGNED = "contract_signed", gettext_lazy("合同签订")
    DELIVERED = "delivered", gettext_lazy("车辆交付")
    REGISTERED = "registered", gettext_lazy("上牌登记")
    IN_SERVICE = "in_service", gettext_lazy("投入使用")
    CANCELLED = "cancelled", gettext_lazy("已取消")


STAGE_ORDER = [
    PurchaseStage.BUDGET_APPROVED,
    PurchaseStage.PROCUREMENT,
    PurchaseStage.CONTRACT_SIGNED,
    PurchaseStage.DELIVERED,
    PurchaseStage.REGISTERED,
    PurchaseStage.IN_SERVICE,
]
# One step forward at a time; a purchase may be cancelled before its contract is signed (a failed tender).
STAGE_TRANSITIONS = {
    PurchaseStage.BUDGET_APPROVED: {PurchaseStage.PROCUREMENT, PurchaseStage.CANCELLED},
    PurchaseStage.PROCUREMENT: {PurchaseStage.CONTRACT_SIGNED, PurchaseStage.CANCELLED},
    PurchaseStage.CONTRACT_SIGNED: {PurchaseStage.DELIVERED},
    PurchaseStage.DELIVERED: {PurchaseStage.REGISTERED},
    PurchaseStage.REGISTERED: {PurchaseStage.IN_SERVICE},
    PurchaseStage.IN_SERVICE: set(),
    PurchaseStage.CANCELLED: set(),
}
# "purchased" in the allocation view: contract signed or later.
PURCHASED_STAGES = (
    PurchaseStage.CONTRACT_SIGNED,
    PurchaseStage.DELIVERED,
    PurchaseStage.REGISTERED,
    PurchaseStage.IN_SERVICE,
)


class VehicleStatus(models.TextChoices):
    ON_ORDER = "on_order", gettext_lazy("待交付/待投用")
    IN_SERVICE = "in_service", gettext_lazy("在用")
    UNDER_REPAIR = "under_repair", pgettext_lazy("under repair", "维修中")
    DISPOSED = "disposed", gettext_lazy("已处置")


# Disposal only through an approved disposal request (vehicle_dispose_*), never a plain status change.
STATUS_TRANSITIONS = {
    VehicleStatus.ON_ORDER: {VehicleStatus.IN_SERVICE},
    VehicleStatus.IN_SERVICE: {VehicleStatus.UNDER_REPAIR},
    VehicleStatus.UNDER_REPAIR: {VehicleStatus.IN_SERVICE},
    VehicleStatus.DISPOSED: set(),
}
ACTIVE_STATUSES = (VehicleStatus.ON_ORDER, VehicleStatus.IN_SERVICE, VehicleStatus.UNDER_REPAIR)


class VehicleType(models.TextChoices):
    """Vehicle types as the register and Art. 16 of the road traffic safety regulation distinguish them."""

    SMALL_PASSENGER = "small_passenger", gettext_lazy("小型/微型非营运载客汽车")
    LARGE_PASSENGER = "large_passenger", gettext_lazy("大型/中型非营运载客汽车")
    GOODS = "goods", gettext_lazy("载货汽车")
    SPECIAL = "special", gettext_lazy("专项作业车")
    MOTORCYCLE = "motorcycle", gettext_lazy("摩托车")


# vehicle type → rule key of vehicles.inspection.ART16_RULES
INSPECTION_RULE = {
    VehicleType.SMALL_PASSENGER: "small_passenger",
    VehicleType.LARGE_PASSENGER: "goods_or_large_passenger",
    VehicleType.GOODS: "goods_or_large_passenger",
    VehicleType.SPECIAL: "other",
    VehicleType.MOTORCYCLE: "motorcycle",
}


class FundingSource(models.TextChoices):
    PROVINCIAL = "provincial", gettext_lazy("省级财政")
    CITY = "city", gettext_lazy("市级财政")
    COUNTY = "county", gettext_lazy("县级财政")
    TRANSFERRED = "transferred", gettext_lazy("划转")
    OTHER = "other", gettext_lazy("其他")


class PolicyKind(models.TextChoices):
    COMPULSORY = "compulsory", gettext_lazy("交强险")
    COMMERCIAL = "commercial", gettext_lazy("商业险")


class MaintenanceKind(models.TextChoices):
    SERVICE = "service", gettext_lazy("保养")
    REPAIR = "repair", gettext_lazy("维修")
    ACCIDENT = "accident", gettext_lazy("事故维修")
    TYRES = "tyres", gettext_lazy("轮胎")
    OTHER = "other", gettext_lazy("其他")


class DisposalMethod(models.TextChoices):
    SCRAP = "scrap", pgettext_lazy("scrapping", "报废")
    AUCTION = "auction", gettext_lazy("拍卖")
    TRANSFER_OUT = "transfer_out", gettext_lazy("调出")
    WRITE_OFF = "write_off", pgettext_lazy("write-off (loss, accident)", "核销")


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("requested", "待审批")
    APPROVED = "approved", gettext_lazy("已批准")
    REJECTED = "rejected", gettext_lazy("已驳回")


class Paper(models.TextChoices):
    """The papers the daily reminder watches."""

    COMPULSORY = "compulsory", gettext_lazy("交强险")
    COMMERCIAL = "commercial", gettext_lazy("商业险")
    INSPECTION = "inspection", gettext_lazy("检验有效期")


REMINDER_THRESHOLDS = (30, 7)  # days before expiry; then "overdue" once
