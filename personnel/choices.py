from django.db import models


class Level(models.TextChoices):
    PROVINCE = "province", "省 province"
    CITY = "city", "市州 city"
    COUNTY = "county", "县级执法机构 county agency"
    STATION = "station", "执法站所 station"


class Role(models.TextChoices):
    PROVINCE = "province", "省厅后勤 provincial logistics"
    CITY = "city", "市州 city staff"
    COUNTY = "county", "县级 county staff"
    AUDITOR = "auditor", "审计 auditor"


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
