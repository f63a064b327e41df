"""An officer's kit under the entitlement standard: item × gender version × size × quantity."""

from dataclasses import dataclass

from .models import ItemType
from .sizes import Size, officer_sizes


@dataclass(frozen=True)
class KitLine:
    item: ItemType
    gender: str  # 'M' / 'F': men's and women's versions are different goods
    size: Size  # size.code is None when missing or made to measure (size.status says which)
    quantity: int


def active_items():
    return list(ItemType.objects.filter(is_active=True).order_by("sort_order", "code"))


def kit_for(officer, items: list[ItemType] | None = None) -> list[KitLine]:
    """What the entitlement standard gives this officer, in their sizes."""
    items = items if items is not None else active_items()
    sizes = officer_sizes(officer)
    return [KitLine(item=item, gender=officer.gender, size=sizes[item.size_system], quantity=item.qty_per_officer)
            for item in items if item.qty_per_officer > 0]
