from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy

from .choices import ELIGIBLE, Gender, Level, OfficerStatus, Role


class Division(models.Model):
    """An administrative division (GB/T 2260), reference data."""

    code = models.CharField(gettext_lazy("代码"), max_length=6, unique=True)
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=50)
    level = models.CharField(max_length=10)
    parent_code = models.CharField(max_length=6, blank=True)
    kind = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = gettext_lazy("行政区划")
        verbose_name_plural = pgettext_lazy("divisions", "行政区划")
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

    code = models.CharField(gettext_lazy("代码"), max_length=20, unique=True)
    name = models.CharField(pgettext_lazy("name", "名称"), max_length=100)
    level = models.CharField(gettext_lazy("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    city = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    path = models.CharField(max_length=200, db_index=True, editable=False)
    authorised_posts = models.PositiveIntegerField(gettext_lazy("编制数"), default=0)
    divisions = models.ManyToManyField(Division, blank=True, verbose_name=gettext_lazy("覆盖区划"))
    station_class = models.CharField(gettext_lazy("站所类别"), max_length=30, blank=True)
    address = models.CharField(gettext_lazy("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("org unit", "单位")
        verbose_name_plural = pgettext_lazy("org units", "单位")
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
    role = models.CharField(gettext_lazy("角色"), max_length=10, choices=Role.choices)
    is_active = models.BooleanField(gettext_lazy("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = gettext_lazy("成员")
        verbose_name_plural = pgettext_lazy("memberships", "成员")
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
    name = models.CharField(pgettext_lazy("name", "姓名"), max_length=30)
    gender = models.CharField(gettext_lazy("性别"), max_length=1, choices=Gender.choices)
    id_number = models.CharField(gettext_lazy("身份证号"), max_length=18, unique=True)
    birth_date = models.DateField(gettext_lazy("出生日期"))
    certificate_number = models.CharField(
        pgettext_lazy("certificate number", "执法证号"), max_length=40, blank=True
    )
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="officers", verbose_name=gettext_lazy("单位")
    )
    post = models.CharField(gettext_lazy("岗位"), max_length=50, blank=True)
    status = models.CharField(
        gettext_lazy("人员状态"), max_length=16, choices=OfficerStatus.choices, default=OfficerStatus.SERVING
    )
    height_cm = models.DecimalField(
        gettext_lazy("身高"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(140, 210)
    )
    chest_cm = models.DecimalField(
        gettext_lazy("胸围"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(60, 140)
    )
    waist_cm = models.DecimalField(
        gettext_lazy("腰围"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(50, 140)
    )
    head_cm = models.DecimalField(
        gettext_lazy("头围"), max_digits=4, decimal_places=1, null=True, blank=True, validators=_cm(48, 66)
    )
    foot_mm = models.DecimalField(
        gettext_lazy("脚长"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_cm(200, 320),
    )
    shoe_eu = models.DecimalField(
        gettext_lazy("鞋码"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=_cm(34, 48),
    )
    measured_on = models.DateField(gettext_lazy("测量日期"), null=True, blank=True)
    phone = models.CharField(gettext_lazy("联系电话"), max_length=11, blank=True)
    remarks = models.CharField(pgettext_lazy("remarks", "备注"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = gettext_lazy("人员")
        verbose_name_plural = pgettext_lazy("officers", "人员")
        ordering = ["unit__path", "name", "id"]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["name"])]

    def __str__(self):
        return self.name

    @property
    def is_eligible(self) -> bool:
        return bool(self.certificate_number) and self.status in ELIGIBLE


class PersonalDataAccessQuerySet(models.QuerySet):
    def delete(self):
        raise PermissionError("personal data accesses are never deleted")

    def update(self, **kwargs):
        raise PermissionError("personal data accesses are append-only")


class PersonalDataAccess(models.Model):
    """One disclosure of an officer's full ID number to a user outside the officer's unit chain
    (《个人信息保护法》). It names the officer, never the number; append-only, never deleted."""

    class Door(models.TextChoices):
        API = "api", gettext_lazy("接口")
        PAGE = "page", gettext_lazy("页面")
        ADMIN = "admin", gettext_lazy("后台")
        EXPORT = "export", gettext_lazy("导出")
        REPORT = "report", gettext_lazy("报表任务")
        COMMAND = "command", gettext_lazy("命令")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(max_length=150)
    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="data_accesses")
    door = models.CharField(max_length=10, choices=Door.choices)
    where = models.CharField(max_length=300, help_text="request path, job id or command")
    batch = models.UUIDField(null=True, blank=True, db_index=True, help_text="one export's rows share it")

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.username} → {self.officer_id} ({self.door})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("personal data accesses are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("personal data accesses are never deleted")
