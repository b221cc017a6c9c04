"""The words of the program: activity kinds, topics, programs, audiences, order line kinds."""

from enum import StrEnum


class Kind(StrEnum):
    SEMINAR = "seminar"
    WEBINAR = "webinar"
    BUSINESS_BREAKFAST = "business_breakfast"
    EXTERNAL_TALK = "external_talk"
    EXHIBITION = "exhibition"
    ARTICLE = "article"
    FORMULA = "formula"
    FEDERAL_PROGRAM = "federal_program"
    PROMO_MATERIALS = "promo_materials"
    OTHER = "other"


class Topic(StrEnum):
    SITE_MANAGEMENT = "site_management"
    BITRIX24 = "bitrix24"
    TOP = "top"
    MARKETPLACE = "marketplace"
    MIXED = "mixed"


class Program(StrEnum):
    """The partner program that points are credited to."""

    SITE_MANAGEMENT = "site_management"
    BITRIX24 = "bitrix24"


class Audience(StrEnum):
    PROSPECTS = "prospects"
    EXISTING_CLIENTS = "existing_clients"
    DEVELOPERS = "developers"


class LineKind(StrEnum):
    LICENCE = "licence"
    MARKETPLACE = "marketplace"
    PHYSICAL = "physical"


class Support(StrEnum):
    """What an exclusion can take away from a case."""

    POINTS = "points"
    COMPENSATION = "compensation"
    INFO_SUPPORT = "info_support"
    PROMO_MATERIALS = "promo_materials"
