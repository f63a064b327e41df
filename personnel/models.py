from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from .choices import ELIGIBLE, Gender, Level, OfficerStatus, Role


class Division(models.Model):
    """An administrative division (GB/T 2260), reference data."""

    code = models.CharField("代码 code", max_length=6, unique=True)
    name = models.CharField("名称 name", max_length=50)
    level = models.CharField(max_length=10)
    parent_code = models.CharField(max_length=6, blank=True)
    kind = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = "行政区划 division"
        verbose_name_plural = "行政区划 divisions"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class OrgUnitQuerySet(models.QuerySet):
    def restrict(self, user):
        from core.scope import restrict

        return restrict(self, user, prefix="")


class OrgUnit(models.Model):
    """A node of the org tree: province → city → county agency → station.

    `path` is the codes from the root, each followed by '/', so a subtree is `path__startswith`.
    `city` is the city the unit belongs to (itself for a city; the province for the province's bureau).
    """

    code = models.CharField("代码 code", max_length=20, unique=True)
    name = models.CharField("名称 name", max_length=100)
    level = models.CharField("层级 level", max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=200, db_index=True, editable=False)
    authorised_posts = models.PositiveIntegerField("编制数 authorised posts", default=0)
    divisions = models.ManyToManyField(Division, blank=True, verbose_name="覆盖区划 divisions covered")
    station_class = models.CharField("站所类别 station class", max_length=30, blank=True)
    address = models.CharField("地址 address", max_length=200, blank=True)
    is_active = models.BooleanField("启用 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位 org unit"
        verbose_name_plural = "单位 org units"
        ordering = ["path"]

    def __str__(self):
        return self.name

    @property
    def city_code(self) -> str:
        return self.city.code if self.city_id else self.code

    def compute_path(self) -> str:
        return (self.parent.path if self.parent_id else "") + f"{self.code}/"


class Membership(models.Model):
    """A user's role over a unit's subtree. The only source of scope and permission."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色 role", max_length=10, choices=Role.choices)
    is_active = models.BooleanField("启用 active", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "成员 membership"
        verbose_name_plural = "成员 memberships"
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique")]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class OfficerQuerySet(models.QuerySet):
    def restrict(self, user):
        from core.scope import restrict

        return restrict(self, user, prefix="unit")

    def eligible(self):
        return self.exclude(certificate_number="").filter(status__in=ELIGIBLE)


def _cm(lo, hi):
    return [MinValueValidator(lo), MaxValueValidator(hi)]


class Officer(models.Model):
    name = models.CharField("姓名 name", max_length=30)
    gender = models.CharField("性别 gender", max_length=1, choices=Gender.choices)
    id_number = models.CharField("身份证号 ID number", max_length=18, unique=True)
    birth_date = models.DateField("出生日期 birth date")
    certificate_number = models.CharField("执法证号 certificate number", max_length=40, blank=True)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="officers", verbose_name="单位 unit"
    )
    post = models.CharField("岗位 post", max_length=50, blank=True)
    status = models.CharField(
        "人员状态 status", max_length=16, choices=OfficerStatus.choices, default=OfficerStatus.SERVING
    )
    height_cm = models.DecimalField(
        "身高 height (cm)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(140, 210)
    )
    chest_cm = models.DecimalField(
        "胸围 chest (cm)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(60, 140)
    )
    waist_cm = models.DecimalField(
        "腰围 waist (cm)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(50, 140)
    )
    head_cm = models.DecimalField(
        "头围 head (cm)", max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(48, 66)
    )
    foot_mm = models.DecimalField(
        "脚长 foot length (mm)",
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_cm(200, 320),
    )
    shoe_eu = models.DecimalField(
        "鞋码 EU shoe size (as entered)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_cm(34, 48),
    )
    measured_on = models.DateField("测量日期 measured on", null=True, blank=True)
    phone = models.CharField("联系电话 phone", max_length=11, blank=True)
    remarks = models.CharField("备注 remarks", max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = "人员 officer"
        verbose_name_plural = "人员 officers"
        ordering = ["unit__path", "name", "id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    @property
    def is_eligible(self) -> bool:
        return bool(self.certificate_number) and self.status in ELIGIBLE
