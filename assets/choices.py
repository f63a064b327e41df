from django.db import models


class Category(models.TextChoices):
    HEADWEAR = "headwear", "帽类 headwear"
    GARMENT = "garment", "服装 garment"
    FOOTWEAR = "footwear", "鞋类 footwear"
    INSIGNIA = "insignia", "标志 insignia"


class SizeSystem(models.TextChoices):
    TOP = "top", "上衣号型 top (号/型)"
    BOTTOM = "bottom", "下装号型 bottom (号/型)"
    SHOE = "shoe_mm", "鞋号 shoe (mm)"
    HAT = "hat_cm", "帽号 cap (cm)"
    NONE = "none", "单一规格 one size"
    BADGE = "badge_number", "胸号 badge number"
