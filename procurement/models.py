"""Tenders, lots, the legal timeline, suppliers, bids, awards, contracts, deliveries and acceptance."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from .choices import (
    AwardStatus,
    BidStatus,
    ContractStatus,
    DeliveryStatus,
    EvaluationMethod,
    HolidayKind,
    LineKind,
    Method,
    PaymentKind,
    RejectionStatus,
    TenderStatus,
)

MONEY = {"max_digits": 16, "decimal_places": 2}
PRICE = {"max_digits": 18, "decimal_places": 6}


class Holiday(models.Model):
    """A day that differs from the chinese-calendar data or extends it past its last year (2026): the State
    Council publishes each year's holidays and make-up working days in the December before. A year counts as
    known only as far as its HolidayYear says (source and the last day covered); its other days up to there
    follow the weekday."""

    date = models.DateField(gettext_lazy("日期"), unique=True)
    kind = models.CharField(gettext_lazy("类型"), max_length=10, choices=HolidayKind.choices)
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=50, blank=True)
    source = models.CharField(gettext_lazy("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("holiday / make-up working day", "节假日调整")
        verbose_name_plural = pgettext_lazy("holidays / make-up working days", "节假日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class HolidayYear(models.Model):
    """Where a year's working-day data comes from (e.g. 国务院办公厅关于2027年部分节假日安排的通知) and the last
    day it covers. A year after chinese-calendar's data counts only up to `covers_until`: any later date raises
    calendar_missing, never a plain weekday. Its holidays and make-up working days are the Holiday rows."""

    year = models.PositiveIntegerField(gettext_lazy("年度"), unique=True)
    source = models.CharField(gettext_lazy("依据"), max_length=300)
    covers_until = models.DateField(gettext_lazy("数据截至"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("working-day data of a year", "工作日数据年度")
        verbose_name_plural = pgettext_lazy("working-day data of the years", "工作日数据年度")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year}"


class Supplier(models.Model):
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=200)
    credit_code = models.CharField(gettext_lazy("统一社会信用代码"), max_length=18, unique=True)
    address = models.CharField(gettext_lazy("地址"), max_length=200, blank=True)
    contact_name = models.CharField(gettext_lazy("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(gettext_lazy("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(gettext_lazy("电子邮箱"), blank=True)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("供应商")
        verbose_name_plural = pgettext_lazy("suppliers", "供应商")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tender(models.Model):
    title = models.CharField(gettext_lazy("项目名称"), max_length=200)
    reference = models.CharField(gettext_lazy("项目编号"), max_length=60, unique=True)
    year = models.PositiveIntegerField(gettext_lazy("年度"))
    method = models.CharField(
        gettext_lazy("采购方式"), max_length=20, choices=Method.choices, default=Method.OPEN
    )
    budget = models.DecimalField(gettext_lazy("预算金额"), validators=[MinValueValidator(0)], **MONEY)
    bid_bond = models.DecimalField(
        gettext_lazy("投标保证金"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    procuring_unit = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name=gettext_lazy("采购单位"),
    )
    agency = models.CharField(gettext_lazy("采购代理机构"), max_length=200, blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=TenderStatus.choices, default=TenderStatus.PLANNING
    )
    target_date = models.DateField(pgettext_lazy("target date", "完成目标"))
    description = models.TextField(pgettext_lazy("description", "说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("tender", "招标项目")
        verbose_name_plural = gettext_lazy("招标项目")
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.reference} {self.title}"


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="lots")
    number = models.PositiveIntegerField(pgettext_lazy("lot number", "包号"))
    title = models.CharField(gettext_lazy("标包名称"), max_length=200)
    budget = models.DecimalField(gettext_lazy("预算"), validators=[MinValueValidator(0)], **MONEY)
    items = models.ManyToManyField(
        "assets.ItemType", blank=True, related_name="lots", verbose_name=gettext_lazy("品目")
    )
    evaluation_method = models.CharField(
        gettext_lazy("评标方法"),
        max_length=20,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    price_weight = models.DecimalField(gettext_lazy("价格分权重"), max_digits=5, decimal_places=2, default=30)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("标包")
        verbose_name_plural = pgettext_lazy("lots", "标包")
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")]

    def __str__(self):
        return f"{self.tender.reference} 第{self.number}包 {self.title}"


class Milestone(models.Model):
    """One step of the tender's legal timeline; `code` is one of data/legal_rules.json's milestones and
    `sequence` its place in the legal order."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="milestones")
    code = models.CharField(pgettext_lazy("code", "节点"), max_length=40)
    sequence = models.PositiveIntegerField(gettext_lazy("顺序"))
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=100)
    planned_date = models.DateField(gettext_lazy("计划日期"), null=True, blank=True)
    actual_date = models.DateField(gettext_lazy("实际日期"), null=True, blank=True)
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("时间节点")
        verbose_name_plural = pgettext_lazy("milestones", "时间节点")
        ordering = ["tender", "sequence"]
        constraints = [models.UniqueConstraint(fields=["tender", "code"], name="milestone_code_unique")]

    def __str__(self):
        return f"{self.tender.reference} {self.name}"

    @property
    def done(self) -> bool:
        return self.actual_date is not None


class RuleOverride(models.Model):
    """Provincial logistics accepted a date that breaks a legal rule, with a reason (kept, never deleted)."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="overrides")
    rule_code = models.CharField(gettext_lazy("规则"), max_length=60)
    date_kind = models.CharField(gettext_lazy("日期类别"), max_length=10)
    date = models.DateField(gettext_lazy("日期"))
    reason = models.CharField(gettext_lazy("理由"), max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("rule override", "规则豁免")
        verbose_name_plural = gettext_lazy("规则豁免")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.milestone} {self.rule_code} {self.date}"


class Bid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    price = models.DecimalField(gettext_lazy("投标报价"), validators=[MinValueValidator(0)], **MONEY)
    other_score = models.DecimalField(
        gettext_lazy("技术商务得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    price_score = models.DecimalField(
        gettext_lazy("价格得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    total_score = models.DecimalField(
        gettext_lazy("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveIntegerField(gettext_lazy("排名"), null=True, blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED
    )
    invalid_reason = models.CharField(gettext_lazy("无效原因"), max_length=300, blank=True)
    submitted_on = models.DateField(gettext_lazy("投标日期"), default=datetime.date.today)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("投标")
        verbose_name_plural = pgettext_lazy("bids", "投标")
        ordering = ["lot", "rank", "price"]
        constraints = [models.UniqueConstraint(fields=["lot", "supplier"], name="bid_one_per_supplier")]

    def __str__(self):
        return f"{self.lot} {self.supplier} {self.price}"


class Award(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(gettext_lazy("中标金额"), **MONEY)
    decided_on = models.DateField(gettext_lazy("确定日期"))
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("中标")
        verbose_name_plural = pgettext_lazy("awards", "中标")
        ordering = ["lot", "id"]

    def __str__(self):
        return f"{self.lot} → {self.supplier}"


class AwardPrice(models.Model):
    """The award's unit price of one item. Fixed the first time contracts are made from the award (the prices
    of that first batch); every later contract under the award must use the same price, so under 统采分签
    each city pays what the province's award says."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="unit_prices")
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    unit_price = models.DecimalField(gettext_lazy("中标单价"), **PRICE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("中标单价")
        verbose_name_plural = pgettext_lazy("award unit prices", "中标单价")
        ordering = ["award", "item__sort_order"]
        constraints = [models.UniqueConstraint(fields=["award", "item"], name="award_price_unique")]

    def __str__(self):
        return f"{self.award} {self.item.code} {self.unit_price}"


class Contract(models.Model):
    """A contract under an award: the province's, or a city's own under the same award (统采分签)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="contracts")
    buyer = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=gettext_lazy("采购人"),
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(gettext_lazy("合同编号"), max_length=60, unique=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    snapshot = models.ForeignKey(
        "assets.DemandSnapshot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=pgettext_lazy("demand snapshot", "需求快照"),
    )
    margin_percent = models.PositiveIntegerField(gettext_lazy("备用比例(%)"), default=3)
    total = models.DecimalField(gettext_lazy("合同金额"), default=0, **MONEY)
    performance_bond = models.DecimalField(gettext_lazy("履约保证金"), default=0, **MONEY)
    signed_on = models.DateField(pgettext_lazy("signed on", "签订日期"), null=True, blank=True)
    published_on = models.DateField(gettext_lazy("公告日期"), null=True, blank=True)
    delivery_due = models.DateField(gettext_lazy("交货期限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("contract", "合同")
        verbose_name_plural = gettext_lazy("合同")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.buyer.name}"


class ContractLine(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(
        gettext_lazy("类型"), max_length=10, choices=LineKind.choices, default=LineKind.STANDARD
    )
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField(pgettext_lazy("gender version", "款式"), max_length=1)
    size = models.CharField(gettext_lazy("号型"), max_length=30)
    demand_quantity = models.PositiveIntegerField(gettext_lazy("需求数量"))
    quantity = models.PositiveIntegerField(gettext_lazy("订购数量"))
    unit_price = models.DecimalField(gettext_lazy("单价"), **PRICE)
    amount = models.DecimalField(gettext_lazy("金额"), **MONEY)
    officer = models.ForeignKey(
        "personnel.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("定制人员"),
    )
    measurements = models.JSONField(gettext_lazy("量体数据"), default=dict, blank=True)

    class Meta:
        verbose_name = gettext_lazy("合同明细")
        verbose_name_plural = pgettext_lazy("contract lines", "合同明细")
        ordering = ["contract", "kind", "item__sort_order", "gender", "size", "officer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "item", "gender", "size"],
                condition=models.Q(kind="standard"),
                name="contract_line_unique",
            ),
            models.UniqueConstraint(
                fields=["contract", "item", "officer"],
                condition=models.Q(kind="mtm"),
                name="contract_mtm_unique",
            ),
        ]

    def __str__(self):
        return f"{self.contract.number} {self.item.code} {self.gender} {self.size} × {self.quantity}"


class ContractVariation(models.Model):
    """补充合同 (《政府采购法》第四十九条): more of the same goods on the same terms under a contract being
    performed, signed by that contract's purchaser. All of a contract's variations together stay within 10 %
    of its original amount (rule `variation_10pct`). Replacement planning's supplementary orders are these too.
    """

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="variations")
    number = models.CharField(gettext_lazy("补充合同编号"), max_length=60, unique=True)
    signed_on = models.DateField(pgettext_lazy("signed on", "签订日期"))
    amount = models.DecimalField(gettext_lazy("补充金额"), default=0, **MONEY)
    performance_bond = models.DecimalField(gettext_lazy("履约保证金"), default=0, **MONEY)
    legal_basis = models.CharField(gettext_lazy("法律依据"), max_length=300)
    reason = models.CharField(gettext_lazy("追加理由"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("补充合同")
        verbose_name_plural = pgettext_lazy("contract variations", "补充合同")
        ordering = ["contract", "signed_on", "id"]

    def __str__(self):
        return self.number


class ContractVariationLine(models.Model):
    """One line of a 补充合同: more of a contract line's goods at its unit price."""

    variation = models.ForeignKey(ContractVariation, on_delete=models.PROTECT, related_name="lines")
    contract_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="variation_lines")
    quantity = models.PositiveIntegerField(
        pgettext_lazy("quantity", "数量"), validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(gettext_lazy("单价"), **PRICE)
    amount = models.DecimalField(gettext_lazy("金额"), **MONEY)

    class Meta:
        verbose_name = gettext_lazy("补充合同明细")
        verbose_name_plural = pgettext_lazy("contract variation lines", "补充合同明细")
        ordering = ["variation", "id"]
        constraints = [
            models.UniqueConstraint(fields=["variation", "contract_line"], name="variation_line_unique"),
        ]

    def __str__(self):
        return f"{self.variation.number} #{self.contract_line_id} × {self.quantity}"


class Payment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(gettext_lazy("类型"), max_length=20, choices=PaymentKind.choices)
    amount = models.DecimalField(gettext_lazy("金额"), **MONEY)
    paid_on = models.DateField(gettext_lazy("支付日期"))
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("付款")
        verbose_name_plural = pgettext_lazy("payments", "付款")
        ordering = ["contract", "paid_on", "id"]

    def __str__(self):
        return f"{self.contract.number} {self.kind} {self.amount}"


class Delivery(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deliveries")
    number = models.CharField(gettext_lazy("批次号"), max_length=60, unique=True)
    destination = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("交货地点"),
    )
    planned_on = models.DateField(gettext_lazy("计划到货"), null=True, blank=True)
    delivered_on = models.DateField(gettext_lazy("到货日期"), null=True, blank=True)
    status = models.CharField(
        gettext_lazy("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.ANNOUNCED
    )
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("交货批次")
        verbose_name_plural = pgettext_lazy("deliveries", "交货批次")
        ordering = ["contract", "id"]

    def __str__(self):
        return self.number


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    contract_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField(
        pgettext_lazy("quantity", "数量"), validators=[MinValueValidator(1)]
    )
    replaces = models.ForeignKey(
        "AcceptanceLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        verbose_name=gettext_lazy("替换退货"),
    )

    class Meta:
        verbose_name = gettext_lazy("交货明细")
        verbose_name_plural = pgettext_lazy("delivery lines", "交货明细")
        ordering = ["delivery", "id"]

    def __str__(self):
        return f"{self.delivery.number} #{self.contract_line_id} × {self.quantity}"


class Acceptance(models.Model):
    """验收 of one delivery batch: only what is accepted here becomes stock."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="acceptance")
    inspected_on = models.DateField(gettext_lazy("验收日期"))
    certificate_number = models.CharField(gettext_lazy("验收单号"), max_length=60, unique=True)
    sample_size = models.PositiveIntegerField(gettext_lazy("抽样数量"))
    sample_note = models.CharField(gettext_lazy("抽检说明"), max_length=300, blank=True)
    inspectors = models.CharField(gettext_lazy("验收人员"), max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("验收")
        verbose_name_plural = pgettext_lazy("acceptances", "验收")
        ordering = ["-inspected_on", "id"]

    def __str__(self):
        return f"验收 {self.certificate_number}"


class AcceptanceLine(models.Model):
    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="lines")
    delivery_line = models.OneToOneField(
        DeliveryLine, on_delete=models.PROTECT, related_name="acceptance_line"
    )
    accepted = models.PositiveIntegerField(pgettext_lazy("accepted", "合格"))
    rejected = models.PositiveIntegerField(pgettext_lazy("rejected", "不合格"), default=0)
    reason = models.CharField(gettext_lazy("不合格原因"), max_length=300, blank=True)
    rejection_status = models.CharField(
        gettext_lazy("退换状态"),
        max_length=20,
        choices=RejectionStatus.choices,
        blank=True,
        default=RejectionStatus.NONE,
    )
    returned_on = models.DateField(gettext_lazy("退回日期"), null=True, blank=True)

    class Meta:
        verbose_name = gettext_lazy("验收明细")
        verbose_name_plural = pgettext_lazy("acceptance lines", "验收明细")
        ordering = ["acceptance", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rejected__gt=0, reason=""), name="rejection_needs_reason"
            )
        ]

    def __str__(self):
        return f"{self.acceptance.certificate_number} +{self.accepted} −{self.rejected}"
