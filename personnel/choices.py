from django.db import models
from django.utils.translation import gettext_lazy, pgettext_lazy


class Level(models.TextChoices):
    PROVINCE = "province", gettext_lazy("省")
    CITY = "city", gettext_lazy("市州")
    COUNTY = "county", gettext_lazy("县级执法机构")
    STATION = "station", gettext_lazy("执法站所")


class Role(models.TextChoices):
    PROVINCE = "province", gettext_lazy("省厅后勤")
    CITY = "city", pgettext_lazy("city staff", "市州")
    COUNTY = "county", gettext_lazy("县级")
    AUDITOR = "auditor", gettext_lazy("审计")


class Gender(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class OfficerStatus(models.TextChoices):
    SERVING = "serving", "在岗"
    SECONDED = "seconded", "借调"
    ON_LEAVE = "on_leave", "离岗"
    TRANSFERRED_OUT = "transferred_out", "调出"
    LEFT = "left", "离职"
    RETIRED = "retired", "退休"


# Officers who hold a post (count toward the staffing rate).
IN_POST = (OfficerStatus.SERVING, OfficerStatus.SECONDED, OfficerStatus.ON_LEAVE)
# Officers who receive uniforms (with a certificate number too).
ELIGIBLE = (OfficerStatus.SERVING, OfficerStatus.SECONDED)
# Status changes allowed: leaving states are final except a return from leave or secondment.
STATUS_TRANSITIONS = {
    OfficerStatus.SERVING: {
        OfficerStatus.SECONDED,
        OfficerStatus.ON_LEAVE,
        OfficerStatus.TRANSFERRED_OUT,
        OfficerStatus.LEFT,
        OfficerStatus.RETIRED,
    },
    OfficerStatus.SECONDED: {
        OfficerStatus.SERVING,
        OfficerStatus.ON_LEAVE,
        OfficerStatus.TRANSFERRED_OUT,
        OfficerStatus.LEFT,
        OfficerStatus.RETIRED,
    },
    OfficerStatus.ON_LEAVE: {
        OfficerStatus.SERVING,
        OfficerStatus.SECONDED,
        OfficerStatus.TRANSFERRED_OUT,
        OfficerStatus.LEFT,
        OfficerStatus.RETIRED,
    },
    OfficerStatus.TRANSFERRED_OUT: {OfficerStatus.SERVING},  # re-joins the corps
    OfficerStatus.LEFT: {OfficerStatus.SERVING},
    OfficerStatus.RETIRED: set(),
}

STATUS_BY_LABEL = {c.label: c.value for c in OfficerStatus}
GENDER_BY_LABEL = {c.label: c.value for c in Gender}
