"""What a user may see of an officer's identity. The ID number carries the birth date (digits 7–14), so
wherever the number is masked (first 6 and last 4 shown) the birth date is hidden too — in pages, API
answers, change history and files. Nothing is shown that the masked number does not reveal: no birth date,
no year, no age. Who sees the full number is services.can_see_full_id."""

import datetime

from . import ids

BIRTH_DATE_MASK = "****-**-**"  # what a history entry's birth date reads when it is hidden
IDENTITY_FIELDS = ("id_number", "birth_date")


def identity(officer, *, full: bool) -> dict:
    """{id_number, birth_date} as this reader may see them: in full, or the mask and no birth date."""
    if full:
        return {"id_number": officer.id_number, "birth_date": officer.birth_date}
    return {"id_number": ids.mask(officer.id_number), "birth_date": None}


def masked_birth_date(value: datetime.date | str | None, *, full: bool):
    """A birth date as shown to the reader: itself, or BIRTH_DATE_MASK (None stays None)."""
    if full or value in (None, ""):
        return value
    return BIRTH_DATE_MASK


def redact_changes(changes: dict, *, full: bool) -> dict:
    """A change record's {field: [before, after]} with the ID number masked and the birth date hidden."""
    if full:
        return changes
    out = dict(changes)
    if "id_number" in out:
        out["id_number"] = [ids.mask(v) if v else v for v in out["id_number"]]
    if "birth_date" in out:
        out["birth_date"] = [masked_birth_date(v, full=False) for v in out["birth_date"]]
    return out


def redact_officer_history(user, officer, changes: dict) -> dict:
    """core.history's redactor for officers (registered in PersonnelConfig.ready)."""
    from .services import can_see_full_id

    return redact_changes(changes, full=can_see_full_id(user, officer.unit))
