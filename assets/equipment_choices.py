"""Station equipment: station classes, equipment categories, condition, status and the transitions."""

from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from core.i18n import zh


class StationClass(models.TextChoices):
    HIGHWAY_DETACHMENT = "highway_detachment", gettext_lazy("高速公路路政大队/中队")
    OVERLOAD_CONTROL = "overload_control", gettext_lazy("治超站")
    SERVICE_STATION = "service_station", gettext_lazy("服务站")
    ENFORCEMENT_SQUADRON = "enforcement_squadron", gettext_lazy("执法中队")


class EquipmentCategory(models.TextChoices):
    RECORDING = "recording", gettext_lazy("记录取证")
    COMMUNICATION = "communication", gettext_lazy("通信")
    COMPUTING = "computing", gettext_lazy("信息化")
    MEASURING = "measuring", gettext_lazy("检测称重")
    VEHICLE_FITOUT = "vehicle_fitout", gettext_lazy("车载装备")
    PROTECTIVE = "protective", gettext_lazy("安全防护")
    OFFICE = "office", gettext_lazy("办公")


class Condition(models.TextChoices):
    GOOD = "good", gettext_lazy("完好")
    FAIR = "fair", gettext_lazy("基本完好")
    NEEDS_REPAIR = "needs_repair", gettext_lazy("待修")
    UNSERVICEABLE = "unserviceable", gettext_lazy("报废")


SERVICEABLE = (Condition.GOOD, Condition.FAIR)
# The short Chinese label a spreadsheet or a form may use, to the value.
CONDITION_BY_LABEL = {zh(c.label): c.value for c in Condition} | {c.value: c.value for c in Condition}


class ItemStatus(models.TextChoices):
    IN_USE = "in_use", pgettext_lazy("in use", "在用")
    IN_REPAIR = "in_repair", gettext_lazy("维修中")
    TRANSFERRED = "transferred", gettext_lazy("调拨在途")
    DISPOSED = "disposed", gettext_lazy("已处置")


STATUS_BY_LABEL = {zh(c.label): c.value for c in ItemStatus} | {c.value: c.value for c in ItemStatus}
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
    REGISTER = "register", pgettext_lazy("registered", "登记")
    IMPORT = "import", pgettext_lazy("imported", "导入")
    SURVEY = "survey", pgettext_lazy("found in a survey", "清查发现")


class RequestKind(models.TextChoices):
    TRANSFER = "transfer", pgettext_lazy("transfer", "调拨")
    DISPOSAL = "disposal", gettext_lazy("报废处置")


class RequestStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("待审批")
    APPROVED = "approved", gettext_lazy("已批准")
    REJECTED = "rejected", gettext_lazy("已驳回")
    CANCELLED = "cancelled", gettext_lazy("已撤回")
    RECEIVED = "received", gettext_lazy("已接收")


REQUEST_TRANSITIONS = {
    RequestStatus.PENDING: {RequestStatus.APPROVED, RequestStatus.REJECTED, RequestStatus.CANCELLED},
    RequestStatus.APPROVED: {RequestStatus.RECEIVED},  # a transfer is received at the other end
    RequestStatus.REJECTED: set(),
    RequestStatus.CANCELLED: set(),
    RequestStatus.RECEIVED: set(),
}


class SurveyStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("进行中")
    CLOSED = "closed", gettext_lazy("已结束")


class ReturnStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("填报中")
    SUBMITTED = "submitted", gettext_lazy("已提交")
    CONFIRMED = "confirmed", gettext_lazy("县级已确认")


RETURN_TRANSITIONS = {
    ReturnStatus.DRAFT: {ReturnStatus.SUBMITTED},
    ReturnStatus.SUBMITTED: {ReturnStatus.CONFIRMED, ReturnStatus.DRAFT},  # confirm, or send back
    ReturnStatus.CONFIRMED: set(),
}
