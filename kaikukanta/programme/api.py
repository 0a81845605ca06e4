"""The programme's rules in force, for integrations and the offline desk."""

import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from . import services

router = Router(tags=["programme"])


class RulesOut(Schema):
    area_id: int | None = Field(..., examples=[3])
    on: datetime.date = Field(..., examples=["2027-03-01"])
    effective_from: datetime.date = Field(
        ..., description="The day the newest version behind these rules began.", examples=["2027-03-01"])
    holder_min_age: int = Field(..., examples=[16])
    holder_age_counting: str = Field(
        ..., description="`calendar_year`: turning the age this calendar year; `on_the_day`: being the age on "
                         "the day whatever the birthday (the register stores only a birth year).",
        examples=["calendar_year"])
    children_max_age: int | None = Field(
        ..., description="Null: children are counted, not aged. N: a child comes free up to the calendar year "
                         "in which it turns N, and new cards record each child's birth year.", examples=[17])
    max_children: int = Field(..., examples=[20])
    courses_admit_children: bool = Field(..., examples=[False])
    max_clients: int = Field(..., description="Clients on one community-card visit.", examples=[10])
    max_assistants: int = Field(..., examples=[2])
    max_validity_months: int = Field(..., examples=[12])
    cancel_window_days: int = Field(..., examples=[7])
    paper_list_days: int = Field(..., examples=[31])
    other_area_cards: bool = Field(
        ..., description="Whether this area's venues record visits for cards issued in other areas.",
        examples=[True])
    overridable: list[str] = Field(
        ..., description="The rules areas may set for themselves under the national version in force.",
        examples=[["children_max_age", "max_children", "courses_admit_children", "other_area_cards"]])


@router.get("/rules", response=RulesOut)
def get_rules(request: HttpRequest, area_id: int | None = None, on: datetime.date | None = None):
    """The rules in force in an area (or nationally) on a day: what a visit or card issued that day in that
    area is judged by. `area_id`: the area (none: the national rules); `on`: the day (default: today,
    Europe/Helsinki). Every signed-in user. Errors: 400 invalid, 404 not_found (no such area)."""
    return services.rules_body(request.user, area_id=area_id, on=on)
