"""Statuses and kinds of the vehicles app, with the allowed transitions beside them."""

from django.db import models


class QuotaRecordKind(models.TextChoices):
    ALLOCATION = "allocation", "编制分配 allocation"
    ADJUSTMENT = "adjustment", "编制调整 adjustment"
    TRANSFER = "transfer", "编制调剂 transfer between cities"
    TOTAL_CHANGE = "total_change", "编制总数变更 change of the total"


class PurchaseStage(models.TextChoices):
    BUDGET_APPROVED = "budget_approved", "预算批复 budget approved"
    PROCUREMENT = "procurement", "采购中 procurement under way"
    CONTRACT_SIGNED = "contract_signed", "合同签订 contract signed"
    DELIVERED = "delivered", "车辆交付 delivered"
    REGISTERED = "registered", "上牌登记 registered"
    IN_SERVICE = "in_service", "投入使用 in service"
    CANCELLED = "cancelled", "已取消 cancelled"


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
    ON_ORDER = "on_order", "待交付/待投用 on order"
    IN_SERVICE = "in_service", "在用 in service"
    UNDER_REPAIR = "under_repair", "维修中 under repair"
    DISPOSED = "disposed", "已处置 disposed"


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

    SMALL_PASSENGER = "small_passenger", "小型/微型非营运载客汽车 small or mini passenger car"
    LARGE_PASSENGER = "large_passenger", "大型/中型非营运载客汽车 large or medium passenger vehicle"
    GOODS = "goods", "载货汽车 goods vehicle"
    SPECIAL = "special", "专项作业车 special-purpose vehicle"
    MOTORCYCLE = "motorcycle", "摩托车 motorcycle"


# vehicle type → rule key of vehicles.inspection.ART16_RULES
INSPECTION_RULE = {
    VehicleType.SMALL_PASSENGER: "small_passenger",
    VehicleType.LARGE_PASSENGER: "goods_or_large_passenger",
    VehicleType.GOODS: "goods_or_large_passenger",
    VehicleType.SPECIAL: "other",
    VehicleType.MOTORCYCLE: "motorcycle",
}


class FundingSource(models.TextChoices):
    PROVINCIAL = "provincial", "省级财政 provincial budget"
    CITY = "city", "市级财政 city budget"
    COUNTY = "county", "县级财政 county budget"
    TRANSFERRED = "transferred", "划转 transferred in"
    OTHER = "other", "其他 other"


class PolicyKind(models.TextChoices):
    COMPULSORY = "compulsory", "交强险 compulsory insurance"
    COMMERCIAL = "commercial", "商业险 commercial insurance"


class MaintenanceKind(models.TextChoices):
    SERVICE = "service", "保养 routine service"
    REPAIR = "repair", "维修 repair"
    ACCIDENT = "accident", "事故维修 accident repair"
    TYRES = "tyres", "轮胎 tyres"
    OTHER = "other", "其他 other"


class DisposalMethod(models.TextChoices):
    SCRAP = "scrap", "报废 scrapping"
    AUCTION = "auction", "拍卖 auction"
    TRANSFER_OUT = "transfer_out", "调出 transfer out of the corps"
    WRITE_OFF = "write_off", "核销 write-off (loss, accident)"


class DisposalStatus(models.TextChoices):
    REQUESTED = "requested", "待审批 requested"
    APPROVED = "approved", "已批准 approved"
    REJECTED = "rejected", "已驳回 rejected"


class Paper(models.TextChoices):
    """The papers the daily reminder watches."""

    COMPULSORY = "compulsory", "交强险 compulsory insurance"
    COMMERCIAL = "commercial", "商业险 commercial insurance"
    INSPECTION = "inspection", "检验有效期 inspection"


REMINDER_THRESHOLDS = (30, 7)  # days before expiry; then "overdue" once
