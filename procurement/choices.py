from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class Method(models.TextChoices):
    """Procurement methods of 政府采购法 第二十六条 (plus 竞争性磋商, 财库〔2014〕214号)."""

    OPEN = "open", gettext_lazy("公开招标")
    INVITED = "invited", gettext_lazy("邀请招标")
    NEGOTIATION = "negotiation", gettext_lazy("竞争性谈判")
    CONSULTATION = "consultation", gettext_lazy("竞争性磋商")
    SINGLE_SOURCE = "single_source", gettext_lazy("单一来源")
    QUOTATION = "quotation", gettext_lazy("询价")


class TenderStatus(models.TextChoices):
    PLANNING = "planning", gettext_lazy("筹备")
    ACTIVE = "active", gettext_lazy("招标中")
    EVALUATION = "evaluation", gettext_lazy("评审")
    AWARDED = "awarded", gettext_lazy("已定标")
    CONTRACTED = "contracted", gettext_lazy("履约")
    COMPLETE = "complete", gettext_lazy("完成")
    CANCELLED = "cancelled", gettext_lazy("废标/终止")


TENDER_TRANSITIONS = {
    TenderStatus.PLANNING: {TenderStatus.ACTIVE, TenderStatus.CANCELLED},
    TenderStatus.ACTIVE: {TenderStatus.EVALUATION, TenderStatus.CANCELLED},
    TenderStatus.EVALUATION: {TenderStatus.AWARDED, TenderStatus.ACTIVE, TenderStatus.CANCELLED},
    TenderStatus.AWARDED: {TenderStatus.CONTRACTED, TenderStatus.CANCELLED},
    TenderStatus.CONTRACTED: {TenderStatus.COMPLETE},
    TenderStatus.COMPLETE: set(),
    TenderStatus.CANCELLED: set(),
}


class EvaluationMethod(models.TextChoices):
    COMPREHENSIVE = "comprehensive", gettext_lazy("综合评分法")
    LOWEST_PRICE = "lowest_price", gettext_lazy("最低评标价法")


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("已投标")
    VALID = "valid", gettext_lazy("有效")
    INVALID = "invalid", gettext_lazy("无效")


class AwardStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("active", "有效")
    CANCELLED = "cancelled", gettext_lazy("撤销")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("草拟")
    SIGNED = "signed", gettext_lazy("已签订")
    COMPLETE = "complete", gettext_lazy("履约完毕")
    TERMINATED = "terminated", gettext_lazy("终止")


CONTRACT_TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.TERMINATED},
    ContractStatus.SIGNED: {ContractStatus.COMPLETE, ContractStatus.TERMINATED},
    ContractStatus.COMPLETE: set(),
    ContractStatus.TERMINATED: set(),
}


class LineKind(models.TextChoices):
    STANDARD = "standard", pgettext_lazy("standard size", "号型")
    MADE_TO_MEASURE = "mtm", gettext_lazy("量体定制")


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", gettext_lazy("预付款")
    PROGRESS = "progress", gettext_lazy("进度款")
    FINAL = "final", gettext_lazy("尾款")
    BOND_RETURN = "bond_return", gettext_lazy("退还履约保证金")


class DeliveryStatus(models.TextChoices):
    ANNOUNCED = "announced", gettext_lazy("待到货")
    ARRIVED = "arrived", gettext_lazy("已到货")
    ACCEPTED = "accepted", gettext_lazy("已验收")


class RejectionStatus(models.TextChoices):
    NONE = "", "—"
    AWAITING_RETURN = "awaiting_return", gettext_lazy("待退货")
    RETURNED = "returned", gettext_lazy("已退回供应商")
    REPLACED = "replaced", gettext_lazy("已换货")


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", gettext_lazy("放假")
    WORKDAY = "workday", gettext_lazy("调休上班")
