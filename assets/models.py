from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from personnel.models import Officer

from .choices import Category, SizeSystem


class ItemType(models.Model):
    """A uniform or insignia item (制式服装/标志). Men's and women's versions are different goods: each
    item has both, named (name_men / name_women)."""

    code = models.CharField("代码 code", max_length=30, unique=True)
    name_zh = models.CharField("名称 name", max_length=100)
    name_en = models.CharField("英文名 English name", max_length=100)
    name_men = models.CharField("男款名称 men's version", max_length=100)
    name_women = models.CharField("女款名称 women's version", max_length=100)
    category = models.CharField("类别 category", max_length=20, choices=Category.choices)
    size_system = models.CharField("号型体系 size system", max_length=20, choices=SizeSystem.choices)
    applies_to = models.CharField("适用 applies to", max_length=10, default="all")
    qty_per_officer = models.PositiveIntegerField("配发数量 quantity per officer")
    service_life_years = models.PositiveIntegerField("换发周期(年) service life (years)")
    source = models.CharField("依据 source", max_length=60)
    note = models.CharField("备注 note", max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField("启用 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "被装品类 item type"
        verbose_name_plural = "被装品类 item types"
        ordering = ["sort_order", "code"]

    def __str__(self):
        return f"{self.code} {self.name_zh}"

    @property
    def is_assumption(self) -> bool:
        return self.source == "assumption"

    def name_for(self, gender: str) -> str:
        return self.name_women if gender == "F" else self.name_men


class StandardVersion(models.Model):
    """One version of the entitlement standard (配发标准). Immutable once written: every change to a
    quantity, a service life, a source or an item's being in force makes a new version, and the newest
    one is current. Demand and snapshots name the version they used."""

    number = models.PositiveIntegerField("版本号 version", unique=True)
    note = models.CharField("说明 note", max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "配发标准版本 entitlement standard version"
        verbose_name_plural = "配发标准版本 entitlement standard versions"
        ordering = ["-number"]

    def __str__(self):
        return f"配发标准 v{self.number}"


class StandardLine(models.Model):
    """An item's entitlement in one version: quantity per officer (both versions, men's and women's) and
    service life. Part of an immutable version."""

    version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="standard_lines")
    qty_per_officer = models.PositiveIntegerField("配发数量 quantity per officer")
    service_life_years = models.PositiveIntegerField("换发周期(年) service life (years)")
    source = models.CharField("依据 source", max_length=60)

    class Meta:
        verbose_name = "配发标准条目 standard line"
        verbose_name_plural = "配发标准条目 standard lines"
        ordering = ["item__sort_order", "item__code"]
        constraints = [models.UniqueConstraint(fields=["version", "item"], name="standard_line_unique")]

    def __str__(self):
        return f"v{self.version.number} {self.item.code} × {self.qty_per_officer}"


class SkirtChoice(models.Model):
    """A woman's choice of skirts (裙子) within her bottoms: 0 to the trousers' quantity (2). Counted
    against TROUSERS; until recorded, her bottoms count as trousers."""

    officer = models.OneToOneField(
        "personnel.Officer",
        on_delete=models.PROTECT,
        related_name="skirt_choice",
        verbose_name="人员 officer",
    )
    skirts = models.PositiveSmallIntegerField("裙子数 skirts", validators=[MaxValueValidator(2)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "女警裙装选择 skirt choice"
        verbose_name_plural = "女警裙装选择 skirt choices"
        constraints = [models.CheckConstraint(condition=models.Q(skirts__lte=2), name="skirts_at_most_2")]

    def __str__(self):
        return f"{self.officer} 裙 {self.skirts}"


class OfficerSizes(Officer):
    """The roll seen as size codes (read-only admin view: each officer's sizes and what is missing)."""

    class Meta:
        proxy = True
        verbose_name = "人员号型 officer sizes"
        verbose_name_plural = "人员号型 officer sizes"


class DemandSnapshot(models.Model):
    """A frozen demand: when, who, which standard version, the margin, the totals, what was reported
    apart, and each officer's sizes (so two snapshots can be compared officer by officer). Rows per
    city × item × gender × size are SnapshotRow."""

    created_at = models.DateTimeField("时间 taken at", auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name="配发标准版本 standard version",
    )
    margin_percent = models.PositiveSmallIntegerField("备用比例(%) spare margin", default=3)
    note = models.CharField("说明 note", max_length=300, blank=True)
    officer_count = models.PositiveIntegerField("计入人数 officers counted", default=0)
    totals = models.JSONField(default=dict, help_text="{item_code: {M: n, F: n}} of the size-table rows")
    made_to_measure = models.JSONField(default=list)
    unknown = models.JSONField(default=list)
    officers = models.JSONField(default=list, help_text="per officer: id, name, city, gender, sizes, skirts")

    class Meta:
        verbose_name = "需求快照 demand snapshot"
        verbose_name_plural = "需求快照 demand snapshots"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"需求快照 #{self.pk} {self.created_at:%Y-%m-%d %H:%M}"


class SnapshotRow(models.Model):
    snapshot = models.ForeignKey(DemandSnapshot, on_delete=models.PROTECT, related_name="rows")
    city_code = models.CharField(max_length=20)
    item_code = models.CharField(max_length=30)
    gender = models.CharField(max_length=1)
    size = models.CharField(max_length=20)
    quantity = models.PositiveIntegerField()

    class Meta:
        verbose_name = "快照行 snapshot row"
        verbose_name_plural = "快照行 snapshot rows"
        ordering = ["city_code", "item_code", "gender", "size"]
        indexes = [models.Index(fields=["snapshot", "city_code"])]

    def __str__(self):
        return f"{self.city_code} {self.item_code} {self.gender} {self.size} {self.quantity}"


from .equipment_models import *  # noqa: E402,F401,F403
