"""§1, §8a: partners are listed by their current, unexpired points."""

from datetime import date

from bot.rules import PointsCredit, Program, Rulebook, rank_partners

SM, B24 = Program.SITE_MANAGEMENT, Program.BITRIX24


def _credit(partner: int, points: int, credited: str, program: Program = SM) -> PointsCredit[int]:
    return PointsCredit(partner, program, points, date.fromisoformat(credited))


def test_partners_are_ranked_by_unexpired_points_most_first(rulebook: Rulebook) -> None:
    credits = [
        _credit(1, 30, "2026-01-10"),
        _credit(2, 90, "2026-02-01"),
        _credit(3, 60, "2026-03-01"),
    ]
    ranking = rank_partners(rulebook, credits, as_of=date(2026, 6, 1))
    assert [(s.partner_id, s.total) for s in ranking] == [(2, 90), (3, 60), (1, 30)]


def test_points_count_through_the_day_before_their_anniversary(rulebook: Rulebook) -> None:
    credits = [_credit(1, 90, "2025-11-22"), _credit(2, 60, "2026-01-01")]
    on_last_day = rank_partners(rulebook, credits, as_of=date(2026, 11, 21))
    assert [(s.partner_id, s.total) for s in on_last_day] == [(1, 90), (2, 60)]
    after = rank_partners(rulebook, credits, as_of=date(2026, 11, 22))
    assert [(s.partner_id, s.total) for s in after] == [(2, 60), (1, 0)]


def test_points_credited_later_do_not_count_yet(rulebook: Rulebook) -> None:
    ranking = rank_partners(rulebook, [_credit(1, 40, "2026-07-01")], as_of=date(2026, 6, 1))
    assert ranking[0].total == 0


def test_ties_are_ordered_by_partner_id(rulebook: Rulebook) -> None:
    credits = [
        _credit(7, 40, "2026-01-10"),
        _credit(3, 40, "2026-02-10"),
        _credit(5, 40, "2026-03-10"),
    ]
    ranking = rank_partners(rulebook, credits, as_of=date(2026, 6, 1))
    assert [s.partner_id for s in ranking] == [3, 5, 7]


def test_partners_can_be_ranked_in_one_program(rulebook: Rulebook) -> None:
    credits = [
        _credit(1, 90, "2026-01-10", SM),
        _credit(2, 30, "2026-01-10", SM),
        _credit(2, 70, "2026-02-10", B24),
    ]
    in_bitrix24 = rank_partners(rulebook, credits, as_of=date(2026, 6, 1), program=B24)
    assert [(s.partner_id, s.points(B24)) for s in in_bitrix24] == [(2, 70), (1, 0)]
    in_total = rank_partners(rulebook, credits, as_of=date(2026, 6, 1))
    assert [(s.partner_id, s.total) for s in in_total] == [(2, 100), (1, 90)]


def test_partners_without_points_are_listed_last(rulebook: Rulebook) -> None:
    ranking = rank_partners(
        rulebook, [_credit(2, 30, "2026-01-10")], as_of=date(2026, 6, 1), partners=[9, 1]
    )
    assert [(s.partner_id, s.total) for s in ranking] == [(2, 30), (1, 0), (9, 0)]


def test_standing_tells_when_the_soonest_points_expire(rulebook: Rulebook) -> None:
    credits = [_credit(1, 30, "2026-03-10"), _credit(1, 20, "2026-01-10")]
    [standing] = rank_partners(rulebook, credits, as_of=date(2026, 6, 1))
    assert standing.next_expiry == date(2027, 1, 9)


def test_partner_ids_may_be_strings(rulebook: Rulebook) -> None:
    credits = [
        PointsCredit("b", SM, 10, date(2026, 1, 1)),
        PointsCredit("a", SM, 10, date(2026, 1, 1)),
    ]
    assert [s.partner_id for s in rank_partners(rulebook, credits, date(2026, 2, 1))] == ["a", "b"]
