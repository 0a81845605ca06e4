"""Reference data: municipalities, welfare areas and postal codes, reloadable from newer files.

A reload updates names and links in place and marks what a newer file no longer lists, but deletes
nothing: cards, organisations and memberships keep pointing at what they pointed at.
"""

import csv
import datetime
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps as global_apps
from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_FILE = DATA_DIR / "municipalities.csv"
POSTCODES_FILE = DATA_DIR / "postcodes.csv"


@dataclass
class LoadResult:
    municipalities: int
    postal_codes: int
    retired_municipalities: int
    retired_postal_codes: int


def _read(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _date(yyyymmdd: str):
    return datetime.datetime.strptime(yyyymmdd, "%Y%m%d").date() if yyyymmdd else None


@transaction.atomic
def load_reference(municipalities_path: Path = MUNICIPALITIES_FILE, postcodes_path: Path = POSTCODES_FILE,
                   apps=global_apps) -> LoadResult:
    WelfareArea = apps.get_model("reference", "WelfareArea")
    Municipality = apps.get_model("reference", "Municipality")
    PostalCode = apps.get_model("reference", "PostalCode")

    municipality_rows = _read(municipalities_path)
    welfare_areas = {w.name_fi: w for w in WelfareArea.objects.all()}
    for row in municipality_rows:
        name = row["welfare_area_fi"].strip()
        if name and name not in welfare_areas:
            welfare_areas[name] = WelfareArea.objects.create(name_fi=name, name_sv=row["welfare_area_sv"].strip())

    existing = {m.code: m for m in Municipality.objects.all()}
    fields = ["name_fi", "name_sv", "region_fi", "region_sv", "welfare_area", "in_current_file"]
    to_create, to_update = [], []
    for row in municipality_rows:
        values = {
            "name_fi": row["name_fi"], "name_sv": row["name_sv"],
            "region_fi": row["region_fi"], "region_sv": row["region_sv"],
            "welfare_area": welfare_areas.get(row["welfare_area_fi"].strip()), "in_current_file": True,
        }
        municipality = existing.get(row["code"])
        if municipality is None:
            to_create.append(Municipality(code=row["code"], **values))
        else:
            for key, value in values.items():
                setattr(municipality, key, value)
            to_update.append(municipality)
    Municipality.objects.bulk_create(to_create)
    Municipality.objects.bulk_update(to_update, fields, batch_size=500)
    listed = {row["code"] for row in municipality_rows}
    retired_municipalities = Municipality.objects.exclude(code__in=listed).update(in_current_file=False)

    postcode_rows = _read(postcodes_path)
    existing_codes = {p.code: p for p in PostalCode.objects.all()}
    to_create, to_update = [], []
    for row in postcode_rows:
        values = {"name_fi": row["name_fi"], "name_sv": row["name_sv"], "municipality_id": row["municipality_code"],
                  "valid_from": _date(row["valid_from"]), "in_current_file": True}
        postal_code = existing_codes.get(row["postcode"])
        if postal_code is None:
            to_create.append(PostalCode(code=row["postcode"], **values))
        else:
            for key, value in values.items():
                setattr(postal_code, key, value)
            to_update.append(postal_code)
    PostalCode.objects.bulk_create(to_create, batch_size=1000)
    PostalCode.objects.bulk_update(to_update, ["name_fi", "name_sv", "municipality_id", "valid_from",
                                               "in_current_file"], batch_size=1000)
    listed_codes = {row["postcode"] for row in postcode_rows}
    retired_postal_codes = PostalCode.objects.exclude(code__in=listed_codes).update(in_current_file=False)
    return LoadResult(len(municipality_rows), len(postcode_rows), retired_municipalities, retired_postal_codes)
