from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from personnel.models import Officer

from .choices import Category, SizeSystem


class ItemType(models.Model):
    """A uniform or insignia item (制式服装/标志). Men's and women's versions are different goods: each
    item has both, named (name_men / name_women)."""

    code = models.CharField(gettext_lazy("代码"), max_length=30, unique=True)
    name_zh = models.CharField(pgettext_lazy("name", "名称"), max_length=100)
    name_en = models.CharField(gettext_lazy("英文名"), max_length=100)
    name_men = models.CharField(gettext_lazy("男款名称"), max_length=100)
    name_women = models.CharField(gettext_lazy("女款名称"), max_length=100)
    category = models.CharField(pgettext_lazy("category", "类别"), max_length=20, choices=Category.choices)
    size_system = models.CharField(gettext_lazy("号型体系"), max_length=20, choices=SizeSystem.choices)
    applies_to = models.CharField(gettext_lazy("适用"), max_length=10, default="all")
    qty_per_officer = models.PositiveIntegerField(gettext_lazy("配发数量"))
    service_life_years = models.PositiveIntegerField(gettext_lazy("换发周期(年)"))
    source = models.CharField(gettext_lazy("依据"), max_length=60)
    note = models.CharField(pgettext_lazy("Note", "备注"), max_length=200, blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = pgettext_lazy("item type", "被装品类")
        verbose_name_plural = pgettext_lazy("item types", "被装品类")
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

    number = models.PositiveIntegerField(gettext_lazy("版本号"), unique=True)
    note = models.CharField(gettext_lazy("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("配发标准版本")
        verbose_name_plural = pgettext_lazy("entitlement standard versions", "配发标准版本")
        ordering = ["-number"]

    def __str__(self):
        return f"配发标准 v{self.number}"


class StandardLine(models.Model):
    """An item's entitlement in one version: quantity per officer (both versions, men's and women's) and
    service life. Part of an immutable version."""

    version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey(ItemType, on_delete=models.PROTECT, related_name="standard_lines")
    qty_per_officer = models.PositiveIntegerField(gettext_lazy("配发数量"))
    service_life_years = models.PositiveIntegerField(gettext_lazy("换发周期(年)"))
    source = models.CharField(gettext_lazy("依据"), max_length=60)

    class Meta:
        verbose_name = gettext_lazy("配发标准条目")
        verbose_name_plural = pgettext_lazy("standard lines", "配发标准条目")
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
        verbose_name=gettext_lazy("人员"),
    )
    skirts = models.PositiveSmallIntegerField(gettext_lazy("裙子数"), validators=[MaxValueValidator(2)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("女警裙装选择")
        verbose_name_plural = pgettext_lazy("skirt choices", "女警裙装选择")
        constraints = [models.CheckConstraint(condition=models.Q(skirts__lte=2), name="skirts_at_most_2")]

    def __str__(self):
        return f"{self.officer} 裙 {self.skirts}"


class OfficerSizes(Officer):
    """The roll seen as size codes (read-only admin view: each officer's sizes and what is missing)."""

    class Meta:
        proxy = True
        verbose_name = pgettext_lazy("officer sizes", "人员号型")
        verbose_name_plural = pgettext_lazy("officer sizes", "人员号型")


class DemandSnapshot(models.Model):
    """A frozen demand: when, who, which standard version, the margin, the totals, what was reported
    apart, and each officer's sizes (so two snapshots can be compared officer by officer). Rows per
    city × item × gender × size are SnapshotRow."""

    created_at = models.DateTimeField(gettext_lazy("时间"), auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    standard_version = models.ForeignKey(
        StandardVersion,
        on_delete=models.PROTECT,
        related_name="snapshots",
        verbose_name=pgettext_lazy("standard version", "配发标准版本"),
    )
    margin_percent = models.PositiveSmallIntegerField(gettext_lazy("备用比例(%)"), default=3)
    note = models.CharField(gettext_lazy("说明"), max_length=300, blank=True)
    officer_count = models.PositiveIntegerField(pgettext_lazy("officers counted", "计入人数"), default=0)
    totals = models.JSONField(default=dict, help_text="{item_code: {M: n, F: n}} of the size-table rows")
    made_to_measure = models.JSONField(default=list)
    unknown = models.JSONField(default=list)
    officers = models.JSONField(default=list, help_text="per officer: id, name, city, gender, sizes, skirts")

    class Meta:
        verbose_name = pgettext_lazy("demand snapshot", "需求快照")
        verbose_name_plural = gettext_lazy("需求快照")
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
        verbose_name = gettext_lazy("快照行")
        verbose_name_plural = pgettext_lazy("snapshot rows", "快照行")
        ordering = ["city_code", "item_code", "gender", "size"]
        indexes = [models.Index(fields=["snapshot", "city_code"])]

    def __str__(self):
        return f"{self.city_code} {self.item_code} {self.gender} {self.size} {self.quantity}"


from .equipment_models import *  # noqa: E402,F401,F403
