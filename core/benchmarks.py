"""Pages on the full demo (`make bench`): the pages the browser journeys open, requested over HTTP from the
server `make run` uses (core/demo_site.py: the full Hunan demo, DEBUG off), logged in as the role that uses
each. Per page: the server's own time (its Server-Timing header; the target is under 2 s), the wall time seen
by the client, the HTML's size and the number of queries. Medians of the runs, after one warm-up request
(the first request of a process also loads the roll's needs into memory; that figure is printed too)."""

import http.cookiejar
import re
import sqlite3
import statistics
import time
import urllib.parse
import urllib.request

from core import demo_site as site

TARGET_S = 2.0


class Browser:
    def __init__(self, url: str):
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str):
        t0 = time.perf_counter()
        with self.opener.open(self.url + path, timeout=600) as r:
            body = r.read()
            headers = r.headers
        wall = time.perf_counter() - t0
        dur = re.search(r"dur=([\d.]+)", headers.get("Server-Timing", ""))
        return {
            "wall": wall,
            "server": float(dur.group(1)) / 1000 if dur else wall,
            "bytes": len(body),
            "queries": int(headers.get("X-QM-Queries", "-1")),
            "body": body,
        }

    def login(self, username: str, password: str) -> None:
        page = self.get("/login/")["body"].decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token}
        ).encode()
        req = urllib.request.Request(
            self.url + "/login/", data=data, headers={"Referer": self.url + "/login/"}
        )
        with self.opener.open(req, timeout=60) as r:
            r.read()


def _ids(db) -> dict:
    con = sqlite3.connect(db)
    big = con.execute(
        "SELECT s.id FROM distribution_shipment s JOIN personnel_orgunit u ON u.id = s.to_unit_id "
        "WHERE u.code = '430400' ORDER BY s.id LIMIT 1"
    ).fetchone()
    officer = con.execute(
        "SELECT o.id FROM personnel_officer o JOIN personnel_orgunit u ON u.id = o.unit_id "
        "WHERE u.code = '430121' ORDER BY o.id LIMIT 1"
    ).fetchone()
    con.close()
    return {"shipment": big[0] if big else None, "officer": officer[0] if officer else None}


def pages(ids: dict) -> list[tuple[str, str, str]]:
    """(user, label, path) of the pages the journeys open."""
    out = [
        ("province", "province start page", "/"),
        ("province", "province dashboard", "/dashboard/"),
        ("province", "progress, province", "/distribution/progress/"),
        ("province", "progress, Changsha", "/distribution/progress/?city=430100"),
        ("province", "progress detail, the province, page 1", "/distribution/progress/430000/items/"),
        ("province", "progress detail,", "/distribution/progress/430121/items/"),
        ("province", "report centre", "/reports/"),
        ("province", "roll, province", "/roll/"),
        ("city430400", "city start page (Hengyang)", "/"),
        ("city430400", "shipments (Hengyang)", "/distribution/"),
        (
            "city430100",
            "transfer to a county (Changsha)",
            "/distribution/transfer/?city=430100&to_unit=430182",
        ),
        ("county430121", "kits of", "/distribution/kits/?unit=430121"),
        ("county430181", "stations of", "/stations/"),
        ("auditor", "auditor start page", "/"),
    ]
    if ids["shipment"]:
        out.insert(
            8, ("city430400", "Hengyang's 1,900-line shipment", f"/distribution/shipments/{ids['shipment']}/")
        )
    if ids["officer"]:
        out.append(("county430121", "an officer's kit card", f"/distribution/officers/{ids['officer']}/"))
    return out


def run(bench) -> None:
    bench.header("Pages on the full demo (real server, DEBUG off; server time from Server-Timing)")
    var = site.ROOT / "var" / "bench-pages"
    t0 = time.perf_counter()
    password = site.seeded(var)
    bench.say(f"  (demo database ready in {time.perf_counter() - t0:.0f} s)")
    runs = 1 if bench.quick else bench.runs
    with site.serve(var) as url:
        browsers: dict[str, Browser] = {}
        first = None
        for user, label, path in pages(_ids(var / "quartermaster.sqlite3")):
            b = browsers.get(user)
            if b is None:
                b = browsers[user] = Browser(url)
                b.login(user, password)
            warm = b.get(path)
            if first is None:
                first = warm
                bench.report(
                    "first request of the process (roll's needs loaded)", f"{warm['server']:.2f} s server"
                )
            got = [b.get(path) for _ in range(runs)]
            server = statistics.median(g["server"] for g in got)
            wall = statistics.median(g["wall"] for g in got)
            size, queries = got[-1]["bytes"], got[-1]["queries"]
            bench.report(
                label,
                f"{server:.2f} s server, {wall:.2f} s wall, {size / 1024:,.0f} KB, {queries} q",
                f"< {TARGET_S:.0f} s server: {'ok' if server < TARGET_S else 'OVER'}",
            )
