"""An officer's kit under the entitlement standard: item × gender version × size × quantity."""

from dataclasses import dataclass

from .models import ItemType, SkirtChoice, StandardVersion
from .sizes import Size, officer_sizes

# A woman's skirts (裙子) are taken out of the TROUSERS entitlement and are a good of their own (a skirt
# is not a pair of trousers): demand rows, kit lines and contract lines carry them as SKIRT_CODE.
SKIRT_ITEM = "TROUSERS"
SKIRT_CODE = "TROUSERS-SKIRT"
SKIRT_NAME = "裙子（女）"
SKIRT_NAME_EN = "skirt (women, within the trousers' quantity)"


@dataclass(frozen=True)
class KitLine:
    item: ItemType
    gender: str  # 'M' / 'F': men's and women's versions are different goods
    size: Size  # size.code is None when missing or made to measure (size.status says which)
    quantity: int
    variant: str = ""  # "skirt": the women's skirts within TROUSERS

    @property
    def item_code(self) -> str:
        """The good's code: the item's, or SKIRT_CODE for skirts."""
        return SKIRT_CODE if self.variant == "skirt" else self.item.code

    @property
    def name(self) -> str:
        return SKIRT_NAME if self.variant == "skirt" else self.item.name_for(self.gender)


def active_items():
    return list(ItemType.objects.filter(is_active=True).order_by("sort_order", "code"))


def current_standard() -> StandardVersion | None:
    return StandardVersion.objects.order_by("-number").first()


def standard_quantities(version: StandardVersion | None = None) -> list[tuple[ItemType, int]]:
    """(item, quantity per officer) of a version of the standard (default the current one); before any
    version exists, the catalog's own figures."""
    version = version or current_standard()
    if version is None:
        return [(item, item.qty_per_officer) for item in active_items()]
    lines = version.lines.select_related("item").order_by("item__sort_order", "item__code")
    return [(line.item, line.qty_per_officer) for line in lines]


def split_skirts(gender: str, quantity: int, skirts: int | None) -> tuple[int, int]:
    """(trousers, skirts) out of the trousers' quantity: a woman's recorded choice, capped at the
    quantity; until recorded (None), everything counts as trousers."""
    if gender != "F" or not skirts:
        return quantity, 0
    k = min(skirts, quantity)
    return quantity - k, k


def kit_for(
    officer,
    items: list[ItemType] | None = None,
    *,
    standard: StandardVersion | None = None,
    quantities: list[tuple[ItemType, int]] | None = None,
    skirts: int | None = -1,
) -> list[KitLine]:
    """What the entitlement standard (the current version unless `standard` is given) gives this officer,
    in their sizes. `items` restricts to those item types at the catalog's quantities (the old signature).
    A woman's recorded skirts become a line of their own (variant "skirt") out of TROUSERS.
    In bulk, pass `quantities=standard_quantities()` once and each officer's `skirts` (None when not
    recorded; SkirtChoice) so no query is made per officer."""
    if quantities is not None:
        pairs = quantities
    elif items is not None:
        pairs = [(item, item.qty_per_officer) for item in items]
    else:
        pairs = standard_quantities(standard)
    sizes = officer_sizes(officer)
    if skirts == -1:
        skirts = None
        if officer.gender == "F" and getattr(officer, "pk", None):
            skirts = (
                SkirtChoice.objects.filter(officer_id=officer.pk).values_list("skirts", flat=True).first()
            )
    out = []
    for item, qty in pairs:
        if qty <= 0:
            continue
        size = sizes[item.size_system]
        if item.code == SKIRT_ITEM:
            trousers, k = split_skirts(officer.gender, qty, skirts)
            if trousers:
                out.append(KitLine(item=item, gender=officer.gender, size=size, quantity=trousers))
            if k:
                out.append(KitLine(item=item, gender=officer.gender, size=size, quantity=k, variant="skirt"))
            continue
        out.append(KitLine(item=item, gender=officer.gender, size=size, quantity=qty))
    return out
