from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class Category(models.TextChoices):
    HEADWEAR = "headwear", gettext_lazy("帽类")
    GARMENT = "garment", gettext_lazy("服装")
    FOOTWEAR = "footwear", gettext_lazy("鞋类")
    INSIGNIA = "insignia", gettext_lazy("标志")


class SizeSystem(models.TextChoices):
    TOP = "top", gettext_lazy("上衣号型")
    BOTTOM = "bottom", gettext_lazy("下装号型")
    SHOE = "shoe_mm", gettext_lazy("鞋号")
    HAT = "hat_cm", gettext_lazy("帽号")
    NONE = "none", gettext_lazy("单一规格")
    BADGE = "badge_number", pgettext_lazy("badge number", "胸号")
