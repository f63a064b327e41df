"""Station equipment: station classes, equipment categories, condition, status and the transitions."""

from django.db import models


class StationClass(models.TextChoices):
    HIGHWAY_DETACHMENT = "highway_detachment", "高速公路路政大队/中队 highway detachment"
    OVERLOAD_CONTROL = "overload_control", "治超站 overload-control station"
    SERVICE_STATION = "service_station", "服务站 service station"
    ENFORCEMENT_SQUADRON = "enforcement_squadron", "执法中队 law-enforcement squadron"


class EquipmentCategory(models.TextChoices):
    RECORDING = "recording", "记录取证 recording"
    COMMUNICATION = "communication", "通信 communication"
    COMPUTING = "computing", "信息化 computing"
    MEASURING = "measuring", "检测称重 measuring and weighing"
    VEHICLE_FITOUT = "vehicle_fitout", "车载装备 vehicles' fit-out"
    PROTECTIVE = "protective", "安全防护 protective"
    OFFICE = "office", "办公 office"


class Condition(models.TextChoices):
    GOOD = "good", "完好 good"
    FAIR = "fair", "基本完好 fair"
    NEEDS_REPAIR = "needs_repair", "待修 needs repair"
    UNSERVICEABLE = "unserviceable", "报废 unserviceable"


SERVICEABLE = (Condition.GOOD, Condition.FAIR)
# The short Chinese label a spreadsheet or a form may use, to the value.
CONDITION_BY_LABEL = {c.label.split()[0]: c.value for c in Condition} | {c.value: c.value for c in Condition}


class ItemStatus(models.TextChoices):
    IN_USE = "in_use", "在用 in use"
    IN_REPAIR = "in_repair", "维修中 in repair"
    TRANSFERRED = "transferred", "调拨在途 transferred (in transit)"
    DISPOSED = "disposed", "已处置 disposed"


STATUS_BY_LABEL = {c.label.split()[0]: c.value for c in ItemStatus} | {c.value: c.value for c in ItemStatus}
# What a user may set directly; transfers and disposal go through a request and its approval.
MANUAL_STATUS_TRANSITIONS = {
    ItemStatus.IN_USE: {ItemStatus.IN_REPAIR},
    ItemStatus.IN_REPAIR: {ItemStatus.IN_USE},
    ItemStatus.TRANSFERRED: set(),
    ItemStatus.DISPOSED: set(),
}
# Items still on a station's books (not in transit, not disposed).
ON_BOOKS = (ItemStatus.IN_USE, ItemStatus.IN_REPAIR)


class ItemSource(models.TextChoices):
    REGISTER = "register", "登记 registered"
    IMPORT = "import", "导入 imported"
    SURVEY = "survey", "清查发现 found in a survey"


class RequestKind(models.TextChoices):
    TRANSFER = "transfer", "调拨 transfer"
    DISPOSAL = "disposal", "报废处置 disposal"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "待审批 pending"
    APPROVED = "approved", "已批准 approved"
    REJECTED = "rejected", "已驳回 rejected"
    CANCELLED = "cancelled", "已撤回 cancelled"
    RECEIVED = "received", "已接收 received"


REQUEST_TRANSITIONS = {
    RequestStatus.PENDING: {RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.CANCELLED},
    RequestStatus.APPROVED: {RequestStatus.RECEIVED},  # a transfer is received at the other end
    RequestStatus.REJECTED: set(),
    RequestStatus.CANCELLED: set(),
    RequestStatus.RECEIVED: set(),
}


class SurveyStatus(models.TextChoices):
    OPEN = "open", "进行中 open"
    CLOSED = "closed", "已结束 closed"


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", "填报中 in progress"
    SUBMITTED = "submitted", "已提交 submitted"
    CONFIRMED = "confirmed", "县级已确认 confirmed"


RETURN_TRANSITIONS = {
    ReturnStatus.DRAFT: {ReturnStatus.SUBMITTED},
    ReturnStatus.SUBMITTED: {ReturnStatus.CONFIRMED, ReturnStatus.DRAFT},  # confirm, or send back
    ReturnStatus.CONFIRMED: set(),
}
