from django.db import models

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
from .equipment_models import *  # noqa: E402,F401,F403
