"""The CSW group's vote on a good-practice nomination."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.domain.framework import VotingRules
from bot.nominations.rules import (
    COMMENT_MAX,
    Ballot,
    Choice,
    Outcome,
    Tally,
    closes_at,
    decide,
    eligible_voters,
    reminder_on,
    still_to_vote,
    summarise_comments,
    tally,
    validate_ballot,
)

R, D, N = Choice.RATIFY, Choice.DECLINE, Choice.NEEDS_MORE_INFORMATION
RATIFIED = Outcome.RATIFIED
DECLINED = Outcome.DECLINED
MORE_INFO = Outcome.NEEDS_MORE_INFORMATION
NO_QUORUM = Outcome.NO_QUORUM
TWO_THIRDS = 2 / 3


def counts(ratify: int = 0, decline: int = 0, more: int = 0) -> Tally:
    ballots = [Ballot(i, R) for i in range(ratify)]
    ballots += [Ballot(100 + i, D, "no") for i in range(decline)]
    ballots += [Ballot(200 + i, N, "why?") for i in range(more)]
    return tally(ballots)


# (ratify, decline, needs more information), eligible, closing, rules, outcome
DECISIONS: list[tuple[str, tuple[int, int, int], int, bool, dict[str, Any], Outcome | None]] = [
    ("still open: votes to come", (2, 0, 0), 5, False, {}, None),
    ("still open: nobody has voted", (0, 0, 0), 5, False, {}, None),
    ("everyone voted before the deadline", (3, 0, 0), 3, False, {}, RATIFIED),
    ("everyone voted, majority ratify", (2, 1, 0), 3, False, {}, RATIFIED),
    ("everyone voted, majority decline", (1, 2, 0), 3, False, {}, DECLINED),
    ("deadline, quorum met", (3, 0, 0), 6, True, {}, RATIFIED),
    ("deadline, quorum not met", (2, 0, 0), 6, True, {}, NO_QUORUM),
    ("deadline, nobody voted", (0, 0, 0), 6, True, {}, NO_QUORUM),
    ("deadline, quorum 4 not met", (3, 0, 0), 6, True, {"quorum": 4}, NO_QUORUM),
    ("more information counts to quorum", (1, 0, 2), 6, True, {}, MORE_INFO),
    ("small group: quorum is everyone", (2, 0, 0), 2, False, {}, RATIFIED),
    ("small group: one of two at deadline", (1, 0, 0), 2, True, {}, NO_QUORUM),
    ("nobody eligible: ends at once", (0, 0, 0), 0, False, {}, NO_QUORUM),
    ("tie goes to the default tie rule", (2, 2, 0), 4, False, {}, MORE_INFO),
    ("tie rule ratify", (2, 2, 0), 4, False, {"tie_rule": "ratify"}, RATIFIED),
    ("tie rule decline", (2, 2, 0), 4, False, {"tie_rule": "decline"}, DECLINED),
    ("three-way split is a tie", (1, 1, 1), 3, False, {"tie_rule": "decline"}, DECLINED),
    ("more information has a plurality", (1, 1, 2), 4, False, {}, MORE_INFO),
    ("more information alone", (0, 0, 3), 3, False, {}, MORE_INFO),
    ("more information level with ratify", (2, 1, 2), 5, False, {}, RATIFIED),
    ("more information level with decline", (1, 2, 2), 5, False, {}, DECLINED),
    ("two-thirds: 3 of 4", (3, 1, 0), 4, False, {"threshold": TWO_THIRDS}, RATIFIED),
    ("two-thirds: 3 of 5", (3, 2, 0), 5, False, {"threshold": TWO_THIRDS}, DECLINED),
    ("two-thirds: 2 of 3 is the tie", (2, 1, 0), 3, False, {"threshold": TWO_THIRDS}, MORE_INFO),
    (
        "two-thirds, at least: 2 of 3",
        (2, 1, 0),
        3,
        False,
        {"threshold": TWO_THIRDS, "tie_rule": "ratify"},
        RATIFIED,
    ),
    ("0.666667 is two-thirds", (2, 1, 0), 3, False, {"threshold": 0.666667}, MORE_INFO),
    ("0.67 is above two-thirds", (2, 1, 0), 3, False, {"threshold": 0.67}, DECLINED),
    (
        "unanimity: all ratify",
        (4, 0, 0),
        4,
        False,
        {"threshold": 1.0, "tie_rule": "ratify"},
        RATIFIED,
    ),
    (
        "unanimity: one decline",
        (4, 1, 0),
        5,
        False,
        {"threshold": 1.0, "tie_rule": "ratify"},
        DECLINED,
    ),
    ("low threshold: 1 of 3", (1, 2, 0), 3, False, {"threshold": 0.25}, RATIFIED),
]


@pytest.mark.parametrize(
    ("votes", "eligible", "closing", "rules", "expected"),
    [row[1:] for row in DECISIONS],
    ids=[row[0] for row in DECISIONS],
)
def test_decide(
    votes: tuple[int, int, int],
    eligible: int,
    closing: bool,
    rules: dict[str, Any],
    expected: Outcome | None,
) -> None:
    assert decide(counts(*votes), VotingRules(**rules), eligible, closing) == expected


def test_the_deadline_closes_a_vote_that_would_otherwise_stay_open() -> None:
    votes = counts(ratify=3)
    assert decide(votes, VotingRules(), eligible_count=5, closing=False) is None
    assert decide(votes, VotingRules(), eligible_count=5, closing=True) == RATIFIED


@pytest.mark.parametrize(
    ("csws", "nominator", "nominees", "expected"),
    [
        ({1, 2, 3, 4}, 9, {8}, {1, 2, 3, 4}),  # nominated from outside the group
        ({1, 2, 3, 4}, 1, set(), {2, 3, 4}),  # a CSW nominates
        ({1, 2, 3, 4}, 9, {2, 3}, {1, 4}),  # CSWs are nominated
        ({1, 2, 3, 4}, 1, {2}, {3, 4}),
        ({1, 2}, 1, {2}, set()),  # nobody left to vote
    ],
)
def test_nominator_and_nominees_are_recused(
    csws: set[int], nominator: int, nominees: set[int], expected: set[int]
) -> None:
    assert eligible_voters(csws, nominator, nominees) == expected


@pytest.mark.parametrize(
    ("choice", "comment", "error"),
    [
        (R, "", None),
        (R, "Lovely example of the child's voice.", None),
        (D, "Not enough evidence of impact yet.", None),
        (N, "Can we see the family's feedback?", None),
        (D, "", "Please say why you are declining: the nominator receives your comment."),
        (D, "   \n ", "Please say why you are declining: the nominator receives your comment."),
        (N, "", "Please say what more information the group needs."),
        (R, "x" * COMMENT_MAX, None),
        (D, "  " + "x" * COMMENT_MAX + "  ", None),  # trimmed before counting
        (
            R,
            "x" * (COMMENT_MAX + 1),
            "Please keep your comment to 1000 characters; it is 1001 at the moment.",
        ),
        (
            D,
            "The child, born 12/03/2015, said it helped.",
            "This looks like a date of birth: refer to the child only by the case record number.",
        ),
        (
            N,
            "Was NHS 943 476 5919 the right child?",
            "This looks like an NHS number: refer to the child only by the case record number.",
        ),
    ],
)
def test_validate_ballot(choice: Choice, comment: str, error: str | None) -> None:
    assert validate_ballot(choice, comment) == error


def test_tally_counts_each_choice() -> None:
    result = tally([Ballot(1, R), Ballot(2, R), Ballot(3, D, "no"), Ballot(4, N, "?")])
    assert (result.ratify, result.decline, result.needs_more_information) == (2, 1, 1)
    assert result.total == 4
    assert result.voters == {1, 2, 3, 4}
    assert [result.count(c) for c in (R, D, N)] == [2, 1, 1]


def test_a_voter_counts_once_and_their_later_ballot_wins() -> None:
    result = tally([Ballot(1, D, "unsure"), Ballot(2, R), Ballot(1, R)])
    assert (result.ratify, result.decline, result.total) == (2, 0, 2)


def test_ballots_from_recused_people_are_not_counted() -> None:
    eligible = eligible_voters({1, 2, 3, 4}, nominator_id=1, nominee_ids={2})
    result = tally([Ballot(1, R), Ballot(2, R), Ballot(3, D, "no")], eligible)
    assert (result.ratify, result.decline, result.voters) == (0, 1, frozenset({3}))
    # The recused nominator's ballot does not make the vote look complete.
    assert decide(result, VotingRules(), len(eligible), closing=False) is None


def test_still_to_vote_is_who_gets_the_reminder() -> None:
    assert still_to_vote({3, 4, 5}, tally([Ballot(4, R)])) == {3, 5}


def add_weekdays(start: date, days: int) -> date:
    """A stand-in working-day calendar: weekdays only."""
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


MONDAY = date(2024, 6, 3)


@pytest.mark.parametrize(
    ("close_after", "remind_before", "closes", "reminder"),
    [
        (5, 1, date(2024, 6, 10), date(2024, 6, 7)),  # closes Monday, reminder on Friday
        (5, 0, date(2024, 6, 10), date(2024, 6, 10)),  # reminder on the closing day
        (5, 4, date(2024, 6, 10), date(2024, 6, 4)),
        (5, 5, date(2024, 6, 10), None),  # would be the opening day
        (2, 5, date(2024, 6, 5), None),
        (10, 2, date(2024, 6, 17), date(2024, 6, 13)),
    ],
)
def test_closing_and_reminder_days(
    close_after: int, remind_before: int, closes: date, reminder: date | None
) -> None:
    rules = VotingRules(
        close_after_working_days=close_after, remind_before_working_days=remind_before
    )
    assert closes_at(MONDAY, rules, add_weekdays) == closes
    assert reminder_on(MONDAY, rules, add_weekdays) == reminder


BALLOTS = [
    Ballot(3, R),
    Ballot(4, D, "  Impact on the child is not yet evidenced.  "),
    Ballot(5, N, "Could we see the family's feedback?"),
    Ballot(6, R, "Brilliant example."),
]


def test_comments_for_the_nominator_are_anonymous_by_default() -> None:
    assert summarise_comments(BALLOTS, None) == [
        "A CSW: Impact on the child is not yet evidenced.",
        "A CSW: Could we see the family's feedback?",
        "A CSW: Brilliant example.",
    ]


def test_comments_can_name_the_commenter() -> None:
    names = {3: "Ann Lee", 4: "Bo Chan", 5: "Cy Dunn", 6: "Di Roe"}
    assert summarise_comments(BALLOTS, names.__getitem__) == [
        "Bo Chan: Impact on the child is not yet evidenced.",
        "Cy Dunn: Could we see the family's feedback?",
        "Di Roe: Brilliant example.",
    ]


def test_no_comments_gives_no_lines() -> None:
    assert summarise_comments([Ballot(1, R), Ballot(2, R, "  ")], None) == []
