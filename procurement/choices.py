from django.db import models


class Method(models.TextChoices):
    """Procurement methods of 政府采购法 第二十六条 (plus 竞争性磋商, 财库〔2014〕214号)."""

    OPEN = "open", "公开招标 open tender"
    INVITED = "invited", "邀请招标 invited tender"
    NEGOTIATION = "negotiation", "竞争性谈判 competitive negotiation"
    CONSULTATION = "consultation", "竞争性磋商 competitive consultation"
    SINGLE_SOURCE = "single_source", "单一来源 single source"
    QUOTATION = "quotation", "询价 request for quotation"


class TenderStatus(models.TextChoices):
    PLANNING = "planning", "筹备 planning"
    ACTIVE = "active", "招标中 active"
    EVALUATION = "evaluation", "评审 evaluation"
    AWARDED = "awarded", "已定标 awarded"
    CONTRACTED = "contracted", "履约 contracted"
    COMPLETE = "complete", "完成 complete"
    CANCELLED = "cancelled", "废标/终止 cancelled"


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
    COMPREHENSIVE = "comprehensive", "综合评分法 comprehensive scoring"
    LOWEST_PRICE = "lowest_price", "最低评标价法 lowest evaluated price"


class BidStatus(models.TextChoices):
    SUBMITTED = "submitted", "已投标 submitted"
    VALID = "valid", "有效 valid"
    INVALID = "invalid", "无效 invalid"


class AwardStatus(models.TextChoices):
    ACTIVE = "active", "有效 active"
    CANCELLED = "cancelled", "撤销 cancelled"


class ContractStatus(models.TextChoices):
    DRAFT = "draft", "草拟 draft"
    SIGNED = "signed", "已签订 signed"
    COMPLETE = "complete", "履约完毕 complete"
    TERMINATED = "terminated", "终止 terminated"


CONTRACT_TRANSITIONS = {
    ContractStatus.DRAFT: {ContractStatus.SIGNED, ContractStatus.TERMINATED},
    ContractStatus.SIGNED: {ContractStatus.COMPLETE, ContractStatus.TERMINATED},
    ContractStatus.COMPLETE: set(),
    ContractStatus.TERMINATED: set(),
}


class LineKind(models.TextChoices):
    STANDARD = "standard", "号型 standard size"
    MADE_TO_MEASURE = "mtm", "量体定制 made to measure"


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", "预付款 advance"
    PROGRESS = "progress", "进度款 progress"
    FINAL = "final", "尾款 final"
    BOND_RETURN = "bond_return", "退还履约保证金 bond returned"


class DeliveryStatus(models.TextChoices):
    ANNOUNCED = "announced", "待到货 announced"
    ARRIVED = "arrived", "已到货 arrived"
    ACCEPTED = "accepted", "已验收 accepted"


class RejectionStatus(models.TextChoices):
    NONE = "", "—"
    AWAITING_RETURN = "awaiting_return", "待退货 awaiting return"
    RETURNED = "returned", "已退回供应商 returned to supplier"
    REPLACED = "replaced", "已换货 replaced"


class HolidayKind(models.TextChoices):
    HOLIDAY = "holiday", "放假 holiday"
    WORKDAY = "workday", "调休上班 make-up working day"
