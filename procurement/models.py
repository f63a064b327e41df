"""Tenders, lots, the legal timeline, suppliers, bids, awards, contracts, deliveries and acceptance."""

import datetime

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

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
    Council publishes each year's holidays and make-up working days in the December before. A year with
    at least one row counts as known (its other days follow the weekday)."""

    date = models.DateField("日期 date", unique=True)
    kind = models.CharField("类型 kind", max_length=10, choices=HolidayKind.choices)
    name = models.CharField("名称 name", max_length=50, blank=True)
    source = models.CharField("依据 source", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "节假日调整 holiday / make-up working day"
        verbose_name_plural = "节假日调整 holidays / make-up working days"
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.get_kind_display()} {self.name}"


class Supplier(models.Model):
    name = models.CharField("名称 name", max_length=200)
    credit_code = models.CharField("统一社会信用代码 unified social credit code", max_length=18, unique=True)
    address = models.CharField("地址 address", max_length=200, blank=True)
    contact_name = models.CharField("联系人 contact", max_length=50, blank=True)
    contact_phone = models.CharField("联系电话 phone", max_length=30, blank=True)
    contact_email = models.EmailField("电子邮箱 e-mail", blank=True)
    is_active = models.BooleanField("启用 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "供应商 supplier"
        verbose_name_plural = "供应商 suppliers"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tender(models.Model):
    title = models.CharField("项目名称 title", max_length=200)
    reference = models.CharField("项目编号 reference", max_length=60, unique=True)
    year = models.PositiveIntegerField("年度 year")
    method = models.CharField("采购方式 method", max_length=20, choices=Method.choices, default=Method.OPEN)
    budget = models.DecimalField("预算金额 budget", validators=[MinValueValidator(0)], **MONEY)
    bid_bond = models.DecimalField(
        "投标保证金 bid bond", default=0, validators=[MinValueValidator(0)], **MONEY
    )
    procuring_unit = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="tenders",
        verbose_name="采购单位 procuring unit",
    )
    agency = models.CharField("采购代理机构 procurement agency", max_length=200, blank=True)
    status = models.CharField(
        "状态 status", max_length=20, choices=TenderStatus.choices, default=TenderStatus.PLANNING
    )
    target_date = models.DateField("完成目标 target date")
    description = models.TextField("说明 description", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "招标项目 tender"
        verbose_name_plural = "招标项目 tenders"
        ordering = ["-year", "id"]

    def __str__(self):
        return f"{self.reference} {self.title}"


class Lot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="lots")
    number = models.PositiveIntegerField("包号 lot number")
    title = models.CharField("标包名称 title", max_length=200)
    budget = models.DecimalField("预算 budget", validators=[MinValueValidator(0)], **MONEY)
    items = models.ManyToManyField(
        "assets.ItemType", blank=True, related_name="lots", verbose_name="品目 items"
    )
    evaluation_method = models.CharField(
        "评标方法 evaluation method",
        max_length=20,
        choices=EvaluationMethod.choices,
        default=EvaluationMethod.COMPREHENSIVE,
    )
    price_weight = models.DecimalField(
        "价格分权重 price weight (%)", max_digits=5, decimal_places=2, default=30
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "标包 lot"
        verbose_name_plural = "标包 lots"
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="lot_number_unique")]

    def __str__(self):
        return f"{self.tender.reference} 第{self.number}包 {self.title}"


class Milestone(models.Model):
    """One step of the tender's legal timeline; `code` is one of data/legal_rules.json's milestones and
    `sequence` its place in the legal order."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="milestones")
    code = models.CharField("节点 code", max_length=40)
    sequence = models.PositiveIntegerField("顺序 order")
    name = models.CharField("名称 name", max_length=100)
    planned_date = models.DateField("计划日期 planned", null=True, blank=True)
    actual_date = models.DateField("实际日期 actual", null=True, blank=True)
    note = models.CharField("备注 note", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "时间节点 milestone"
        verbose_name_plural = "时间节点 milestones"
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
    rule_code = models.CharField("规则 rule", max_length=60)
    date_kind = models.CharField("日期类别 planned/actual", max_length=10)
    date = models.DateField("日期 date")
    reason = models.CharField("理由 reason", max_length=500)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "规则豁免 rule override"
        verbose_name_plural = "规则豁免 rule overrides"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.milestone} {self.rule_code} {self.date}"


class Bid(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="bids")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="bids")
    price = models.DecimalField("投标报价 price", validators=[MinValueValidator(0)], **MONEY)
    other_score = models.DecimalField(
        "技术商务得分 technical and commercial score", max_digits=6, decimal_places=2, null=True, blank=True
    )
    price_score = models.DecimalField(
        "价格得分 price score", max_digits=6, decimal_places=2, null=True, blank=True
    )
    total_score = models.DecimalField(
        "综合得分 total score", max_digits=6, decimal_places=2, null=True, blank=True
    )
    rank = models.PositiveIntegerField("排名 rank", null=True, blank=True)
    status = models.CharField(
        "状态 status", max_length=20, choices=BidStatus.choices, default=BidStatus.SUBMITTED
    )
    invalid_reason = models.CharField("无效原因 reason invalid", max_length=300, blank=True)
    submitted_on = models.DateField("投标日期 submitted on", default=datetime.date.today)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "投标 bid"
        verbose_name_plural = "投标 bids"
        ordering = ["lot", "rank", "price"]
        constraints = [models.UniqueConstraint(fields=["lot", "supplier"], name="bid_one_per_supplier")]

    def __str__(self):
        return f"{self.lot} {self.supplier} {self.price}"


class Award(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="awards")
    bid = models.ForeignKey(Bid, on_delete=models.PROTECT, related_name="awards")
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField("中标金额 amount", **MONEY)
    decided_on = models.DateField("确定日期 decided on")
    status = models.CharField(
        "状态 status", max_length=20, choices=AwardStatus.choices, default=AwardStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "中标 award"
        verbose_name_plural = "中标 awards"
        ordering = ["lot", "id"]

    def __str__(self):
        return f"{self.lot} → {self.supplier}"


class Contract(models.Model):
    """A contract under an award: the province's, or a city's own under the same award (统采分签)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="contracts")
    buyer = models.ForeignKey(
        "personnel.OrgUnit", on_delete=models.PROTECT, related_name="contracts", verbose_name="采购人 buyer"
    )
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField("合同编号 number", max_length=60, unique=True)
    status = models.CharField(
        "状态 status", max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    snapshot = models.ForeignKey(
        "assets.DemandSnapshot",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name="需求快照 demand snapshot",
    )
    margin_percent = models.PositiveIntegerField("备用比例(%) spare margin", default=3)
    total = models.DecimalField("合同金额 total", default=0, **MONEY)
    performance_bond = models.DecimalField("履约保证金 performance bond", default=0, **MONEY)
    signed_on = models.DateField("签订日期 signed on", null=True, blank=True)
    published_on = models.DateField("公告日期 published on", null=True, blank=True)
    delivery_due = models.DateField("交货期限 delivery due", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "合同 contract"
        verbose_name_plural = "合同 contracts"
        ordering = ["number"]

    def __str__(self):
        return f"{self.number} {self.buyer.name}"


class ContractLine(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField("类型 kind", max_length=10, choices=LineKind.choices, default=LineKind.STANDARD)
    item = models.ForeignKey("assets.ItemType", on_delete=models.PROTECT, related_name="+")
    gender = models.CharField("款式 gender version", max_length=1)
    size = models.CharField("号型 size", max_length=30)
    demand_quantity = models.PositiveIntegerField("需求数量 demand")
    quantity = models.PositiveIntegerField("订购数量 quantity ordered")
    unit_price = models.DecimalField("单价 unit price", **PRICE)
    amount = models.DecimalField("金额 amount", **MONEY)
    officer = models.ForeignKey(
        "personnel.Officer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="定制人员 officer (made to measure)",
    )
    measurements = models.JSONField("量体数据 measurements", default=dict, blank=True)

    class Meta:
        verbose_name = "合同明细 contract line"
        verbose_name_plural = "合同明细 contract lines"
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


class Payment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField("类型 kind", max_length=20, choices=PaymentKind.choices)
    amount = models.DecimalField("金额 amount", **MONEY)
    paid_on = models.DateField("支付日期 paid on")
    note = models.CharField("备注 note", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "付款 payment"
        verbose_name_plural = "付款 payments"
        ordering = ["contract", "paid_on", "id"]

    def __str__(self):
        return f"{self.contract.number} {self.kind} {self.amount}"


class Delivery(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="deliveries")
    number = models.CharField("批次号 batch number", max_length=60, unique=True)
    destination = models.ForeignKey(
        "personnel.OrgUnit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="交货地点 destination (provincial store or a city)",
    )
    planned_on = models.DateField("计划到货 planned", null=True, blank=True)
    delivered_on = models.DateField("到货日期 delivered on", null=True, blank=True)
    status = models.CharField(
        "状态 status", max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.ANNOUNCED
    )
    note = models.CharField("备注 note", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "交货批次 delivery"
        verbose_name_plural = "交货批次 deliveries"
        ordering = ["contract", "id"]

    def __str__(self):
        return self.number


class DeliveryLine(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="lines")
    contract_line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = models.PositiveIntegerField("数量 quantity", validators=[MinValueValidator(1)])
    replaces = models.ForeignKey(
        "AcceptanceLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        verbose_name="替换退货 replaces rejected goods",
    )

    class Meta:
        verbose_name = "交货明细 delivery line"
        verbose_name_plural = "交货明细 delivery lines"
        ordering = ["delivery", "id"]

    def __str__(self):
        return f"{self.delivery.number} #{self.contract_line_id} × {self.quantity}"


class Acceptance(models.Model):
    """验收 of one delivery batch: only what is accepted here becomes stock."""

    delivery = models.OneToOneField(Delivery, on_delete=models.PROTECT, related_name="acceptance")
    inspected_on = models.DateField("验收日期 inspected on")
    certificate_number = models.CharField("验收单号 certificate number", max_length=60, unique=True)
    sample_size = models.PositiveIntegerField("抽样数量 pieces sampled")
    sample_note = models.CharField("抽检说明 sample checked", max_length=300, blank=True)
    inspectors = models.CharField("验收人员 inspectors", max_length=200)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "验收 acceptance"
        verbose_name_plural = "验收 acceptances"
        ordering = ["-inspected_on", "id"]

    def __str__(self):
        return f"验收 {self.certificate_number}"


class AcceptanceLine(models.Model):
    acceptance = models.ForeignKey(Acceptance, on_delete=models.PROTECT, related_name="lines")
    delivery_line = models.OneToOneField(
        DeliveryLine, on_delete=models.PROTECT, related_name="acceptance_line"
    )
    accepted = models.PositiveIntegerField("合格 accepted")
    rejected = models.PositiveIntegerField("不合格 rejected", default=0)
    reason = models.CharField("不合格原因 reason rejected", max_length=300, blank=True)
    rejection_status = models.CharField(
        "退换状态 rejected goods",
        max_length=20,
        choices=RejectionStatus.choices,
        blank=True,
        default=RejectionStatus.NONE,
    )
    returned_on = models.DateField("退回日期 returned on", null=True, blank=True)

    class Meta:
        verbose_name = "验收明细 acceptance line"
        verbose_name_plural = "验收明细 acceptance lines"
        ordering = ["acceptance", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rejected__gt=0, reason=""), name="rejection_needs_reason"
            )
        ]

    def __str__(self):
        return f"{self.acceptance.certificate_number} +{self.accepted} −{self.rejected}"
