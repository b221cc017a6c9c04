"""A case to assess: an application and, once there is one, its report (the CASE contract)."""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from bot.rules.isodate import IsoDate
from bot.rules.money import Rubles
from bot.rules.vocabulary import Audience, Kind, Program, Topic

Count = Annotated[int, Field(ge=0, strict=True)]


def _number(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError("must be a number")
    return float(value)


Percent = Annotated[float, BeforeValidator(_number), Field(ge=0, le=100, allow_inf_nan=False)]


class Case(BaseModel):
    """Money fields are given in rubles and held in kopecks. Unknown fields are refused, so a
    misspelt field never silently changes an answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {key: value for key, value in data.items() if value is not None}
        return data

    kind: Kind
    topic: Topic = Topic.SITE_MANAGEMENT
    program: Program | None = None
    audience: Audience = Audience.PROSPECTS
    title: str | None = None
    event_date: IsoDate
    applied_on: IsoDate | None = None
    report_accepted_on: IsoDate | None = None
    info_support: StrictBool = False
    promo_materials: StrictBool = False
    listeners: Count | None = None
    agreed_costs: Rubles | None = None
    actual_costs: Rubles | None = None
    paid_event: StrictBool = False
    competitors: StrictBool = False
    vendor_speaker_did_all_talks: StrictBool = False
    other_products_in_program: StrictBool = False
    barter_without_documents: StrictBool = False
    claims_vendor_event: StrictBool = False
    vendor_speaker: StrictBool = False
    third_party_companies: Count = 0
    third_party_speakers: Count | None = None
    at_vendor_event: StrictBool = False
    # exhibitions
    stand_rent: Rubles | None = None
    registration_fee: Rubles | None = None
    other_vendors_on_stand: Count = 0
    competing_products_on_stand: StrictBool = False
    vendor_branding: StrictBool = False
    vendor_at_exhibition: StrictBool = False
    # promo materials
    printing_costs: Rubles | None = None
    # articles
    article_length: Count | None = None
    vendor_share_percent: Percent | None = None
    circulation: Count | None = None
    daily_views: Count | None = None
    original: StrictBool | None = None

    @model_validator(mode="after")
    def _report_after_event(self) -> "Case":
        if self.report_accepted_on is not None and self.report_accepted_on < self.event_date:
            raise ValueError("report_accepted_on is before event_date")
        return self
