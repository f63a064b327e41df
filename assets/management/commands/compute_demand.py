"""compute_demand: the demand as CSV (or JSON) on standard output, exactly as SIZING.md defines it."""

import csv
import io
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, pgettext, pgettext_lazy

from assets import selectors, services
from assets.demand import GENDER_LABEL, order_lines
from core.cli import DATA_COMMAND_CHECKS, acting_user
from core.errors import QMError
from personnel.choices import Gender

ROW_COLUMNS = ["city_code", "item_code", "gender", "size", "quantity"]
ORDER_COLUMNS = ["item_code", "gender", "size", "quantity"]


def _sorted(rows: list[dict], columns: list[str]) -> list[list]:
    out = [[GENDER_LABEL[r[c]] if c == "gender" else r[c] for c in columns] for r in rows]
    out.sort()  # by every column in order, as written (quantity as an integer)
    return out


def render_csv(rows: list[list], columns: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buf.getvalue()


MEASUREMENT_WORDS = {
    "height_cm": pgettext_lazy("measurement", "身高"),
    "chest_cm": pgettext_lazy("measurement", "胸围"),
    "waist_cm": pgettext_lazy("measurement", "腰围"),
    "head_cm": pgettext_lazy("measurement", "头围"),
    "foot_mm": pgettext_lazy("measurement", "脚长"),
    "shoe_eu": pgettext_lazy("measurement", "欧码"),
}


def apart_lines(unknown: list[dict], made_to_measure: list[dict]) -> list[str]:
    """What is reported apart, one line each, for standard error: items, units and measurements by name (the
    CSV on standard output keeps SIZING.md's codes, for the programs that read it)."""
    lines = []
    sep = pgettext("list separator", "、")
    for entry in unknown:
        names = sep.join(f"{o['name']}（{o['unit_name']}）" for o in entry["officers"])
        lines.append(
            gettext("号型未知 {item}：男 {men}，女 {women} — {names}").format(
                item=entry["name"], men=entry["quantity"]["M"], women=entry["quantity"]["F"], names=names
            )
        )
    for p in made_to_measure:
        meas = sep.join(
            f"{MEASUREMENT_WORDS.get(k, k)} {v}" for k, v in p["measurements"].items() if v is not None
        )
        items = sep.join(
            gettext("{name} {quantity} 件").format(name=i["name"], quantity=i["quantity"]) for i in p["items"]
        )
        reasons = "; ".join(sorted({str(i["reason"]) for i in p["items"]}))
        lines.append(
            gettext("量体定制 {name}（{unit_name}，{gender}）{meas}：{items} [{reasons}]").format(
                name=p["name"],
                unit_name=p["unit_name"],
                gender=Gender(p["gender"]).label,
                meas=meas,
                items=items,
                reasons=reasons,
            )
        )
    return lines


class Command(BaseCommand):
    help = pgettext_lazy(
        "demand per city × item × gender × size as CSV (SIZING.md); --order: province totals per item × gender × size with the spare margin; what has no size goes to standard error.",
        "需求",
    )
    requires_system_checks = DATA_COMMAND_CHECKS

    def add_arguments(self, parser):
        parser.add_argument("--city", help="one city's code (its contract lines with --order)")
        parser.add_argument("--order", action="store_true", help="order quantities with the spare margin")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")
        parser.add_argument(
            "--snapshot",
            action="store_true",
            help="freeze the province's demand as a snapshot and print from it",
        )
        parser.add_argument("--margin", type=int, default=3, help="spare margin in percent (default 3)")
        parser.add_argument("--note", default="", help="the snapshot's note")
        parser.add_argument("--user", help="act as this user (scope, and who took the snapshot)")

    def handle(self, *args, city, order, format, snapshot, margin, note, user, **options):
        actor = acting_user(user)
        try:
            if snapshot:
                selectors.check_city(actor, city)
                snap = services.snapshot_create(actor=actor, note=note, margin_percent=margin)
                rows = selectors.visible_rows(actor, snap, city)
                unknown = selectors.visible_unknown(actor, snap.unknown, city)
                mtm = selectors.visible_made_to_measure(actor, snap.made_to_measure, city)
                version, margin_used = snap.standard_version.number, snap.margin_percent
                self.stderr._out.write(
                    gettext("快照 #{pk}（配发标准 第 {version} 版）").format(pk=snap.pk, version=version)
                    + "\n"
                )
            else:
                d = selectors.demand_for(actor, city_code=city, margin_percent=margin)
                rows, unknown, mtm = d.row_list(), d.unknown, d.made_to_measure
                version, margin_used = d.standard_version, d.margin_percent
        except QMError as exc:
            raise CommandError(exc.message) from exc
        if order and city:
            # a city's contract lines are its share of the provincial order: split over every city in scope
            if snapshot:
                lines = selectors.snapshot_order_lines(snap, city)
            else:
                lines = order_lines(
                    selectors.demand_for(actor, margin_percent=margin).row_list(), margin_used, city
                )
            out_rows = [{**ln, "quantity": ln["order_quantity"]} for ln in lines]
            columns = ORDER_COLUMNS
        elif order:
            lines = order_lines(rows, margin_used)
            out_rows = [{**ln, "quantity": ln["order_quantity"]} for ln in lines]
            columns = ORDER_COLUMNS
        else:
            out_rows, columns = rows, ROW_COLUMNS
        table = _sorted(out_rows, columns)
        if format == "csv":
            self._emit(render_csv(table, columns))
        else:
            doc = {
                "standard_version": version,
                "margin_percent": margin_used,
                "city_code": city,
                "order": order,
                "columns": columns,
                "rows": [dict(zip(columns, r, strict=True)) for r in table],
                "unknown": unknown,
                "made_to_measure": mtm,
            }
            self._emit(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        err = self.stderr._out
        for line in apart_lines(unknown, mtm):
            err.write(line + "\n")
        err.flush()

    def _emit(self, text: str) -> None:
        """Exactly these bytes, UTF-8 without a BOM and with no styling, whatever the console's encoding."""
        out = self.stdout._out
        if hasattr(out, "buffer"):
            out.flush()
            out.buffer.write(text.encode("utf-8"))
            out.buffer.flush()
        else:
            out.write(text)
            out.flush()
