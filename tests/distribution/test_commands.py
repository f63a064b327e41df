import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from distribution import services as svc
from distribution.selectors import CSV_HEADER


def test_distribution_progress_csv_and_json(org, province_user, county_user, officers, stocked_county):
    svc.kit_issue(actor=county_user, unit=stocked_county)
    out = io.StringIO()
    call_command("distribution_progress", "--user", province_user.username, stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == CSV_HEADER
    units = {r[0] for r in rows[1:]}
    assert {"430000", "430100", "430121"} <= units
    for r in rows[1:]:
        shipped, in_transit, received, short = int(r[6]), int(r[7]), int(r[8]), int(r[9])
        assert shipped == received + in_transit + short
    county_jacket = next(r for r in rows if r[0] == "430121" and r[1] == "DRESS-JACKET")
    assert county_jacket[4] == "3" and county_jacket[11] == "3" and county_jacket[12] == "0"
    out = io.StringIO()
    call_command(
        "distribution_progress",
        "--city",
        "430100",
        "--format",
        "json",
        "--user",
        province_user.username,
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert {d["unit_code"] for d in data} <= {
        u.code for u in org.values() if u.path.startswith(org["430100"].path)
    }
    with pytest.raises(CommandError):
        call_command(
            "distribution_progress",
            "--city",
            "999999",
            "--user",
            province_user.username,
            stdout=io.StringIO(),
        )
