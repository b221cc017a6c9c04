"""The rules of the partner program: a rulebook loaded from data, and a pure engine over it.

Nothing here reads the clock, the network, Telegram or the database: dates are arguments.
"""

from bot.rules.announcements import announced, repeat_announced_from
from bot.rules.assessment import Assessment, assess
from bot.rules.bonus import Lot, Order, OrderLine, PaidLine, Spend, spend
from bot.rules.case import Case
from bot.rules.deadlines import credit_due, expires_on, report_due
from bot.rules.effects import Condition, Effect, Finding
from bot.rules.errors import describe_validation_error
from bot.rules.partner import low_attendance, may_publish_promotions
from bot.rules.ranges import Range
from bot.rules.ranking import PointsCredit, Standing, rank_partners
from bot.rules.rulebook import (
    RULEBOOK_ENV,
    Rulebook,
    RulebookError,
    load_rulebook,
    parse_rulebook,
    rulebook_path_from_env,
)
from bot.rules.vocabulary import Audience, Kind, LineKind, Program, Support, Topic

__all__ = [
    "RULEBOOK_ENV",
    "Assessment",
    "Audience",
    "Case",
    "Condition",
    "Effect",
    "Finding",
    "Kind",
    "LineKind",
    "Lot",
    "Order",
    "OrderLine",
    "PaidLine",
    "PointsCredit",
    "Program",
    "Range",
    "Rulebook",
    "RulebookError",
    "Spend",
    "Standing",
    "Support",
    "Topic",
    "announced",
    "assess",
    "credit_due",
    "describe_validation_error",
    "expires_on",
    "load_rulebook",
    "low_attendance",
    "may_publish_promotions",
    "parse_rulebook",
    "rank_partners",
    "repeat_announced_from",
    "report_due",
    "rulebook_path_from_env",
    "spend",
]
