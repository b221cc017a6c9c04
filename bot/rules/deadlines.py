"""Due dates and expiry by the rulebook's calendar."""

from datetime import date

from bot.rules.calendar import last_valid_day
from bot.rules.rulebook import Rulebook


def report_due(rulebook: Rulebook, event_date: date) -> date:
    """The last day to report: N working days after the event, the event day not counted."""
    return rulebook.work_calendar.add_working_days(
        event_date, rulebook.deadlines.report_working_days
    )


def credit_due(rulebook: Rulebook, accepted_on: date) -> date:
    """The last day to credit points and compensation after the report was accepted."""
    return rulebook.work_calendar.add_working_days(
        accepted_on, rulebook.deadlines.credit_working_days
    )


def expires_on(rulebook: Rulebook, credited_on: date) -> date:
    """The last day that points or bonus money credited on `credited_on` still count."""
    return last_valid_day(credited_on, rulebook.deadlines.validity_years)
