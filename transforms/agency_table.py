"""The ``agencies`` table: one row per body, from the placements of its reports."""

from __future__ import annotations

import pandas as pd

from transforms.agencies import place_names
from transforms.schemas import AGENCIES

AGENCY_INPUT_COLUMNS = ["agency_id", "agency", "agency_as_written", "agency_level", "division_code", "report_year"]


def agency_rows(reports: pd.DataFrame) -> pd.DataFrame:
    """One row per agency from its reports (``AGENCY_INPUT_COLUMNS``): the name it gives most often
    (then the latest, then the longest), every name seen, and the division of its latest report."""
    reports = reports[reports["agency_id"] != ""]
    if reports.empty:
        return AGENCIES.empty_frame()
    counted = (
        reports.groupby(["agency_id", "agency"], sort=False)
        .agg(times=("report_year", "size"), latest=("report_year", "max"))
        .reset_index()
    )
    counted["length"] = counted["agency"].str.len()
    chosen = counted.sort_values(["times", "latest", "length", "agency"], ascending=[False, False, False, True])
    name = chosen.drop_duplicates("agency_id").set_index("agency_id")["agency"]
    seen = reports.groupby("agency_id")["agency_as_written"].agg(lambda names: "|".join(sorted(set(names) - {""})))
    latest = reports.sort_values(["report_year", "division_code"]).drop_duplicates("agency_id", keep="last")
    latest = latest.set_index("agency_id")
    years = reports.groupby("agency_id")["report_year"].agg(["min", "max", "size"])
    places = [
        place_names(code, int(year)) for code, year in zip(latest["division_code"], latest["report_year"], strict=True)
    ]
    placed = pd.DataFrame(places, index=latest.index, columns=["province", "city", "county"])
    frame = pd.DataFrame(
        {
            "name": name,
            "names_seen": seen,
            "level": latest["agency_level"],
            "division_code": latest["division_code"],
            **{column: placed[column] for column in placed},
            "first_year": years["min"],
            "last_year": years["max"],
            "reports": years["size"],
        }
    )
    frame = frame.rename_axis("agency_id").reset_index().sort_values("agency_id", kind="stable")
    return frame[AGENCIES.column_names].reset_index(drop=True)
