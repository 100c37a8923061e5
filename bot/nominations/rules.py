"""How the Consultant Social Worker (CSW) group votes on a good-practice nomination.

The CSW group verifies nominations before they go into the Good Practice Library (Somerset QA
framework). Every eligible CSW gets one ballot: Ratify, Decline or Needs more information.

The rules, exactly:

1. Who votes. Every CSW except the nominator and the nominees (they are recused). If nobody is
   left, the vote ends at once with ``no_quorum`` so that someone outside the group decides.
2. Ballots. Declining or asking for more information needs a comment (the nominator gets it as
   feedback); ratifying does not. Comments are trimmed and at most 1000 characters. One ballot per
   voter counts: if a voter appears twice, their later ballot replaces the earlier one. Ballots
   from people who are not eligible are ignored when the caller passes the eligible set.
3. When the vote closes. It stays open until every eligible CSW has voted or the deadline
   (``close_after_working_days`` working days after opening) is reached. It does not close early
   just because the result can no longer change: the group expects everyone to have their say,
   and the comments are feedback for the nominator. A reminder goes out
   ``remind_before_working_days`` working days before the close (0 means on the closing day).
4. Quorum. At the close, fewer ballots than ``quorum`` gives ``no_quorum``. If fewer CSWs are
   eligible than the quorum (a small group after recusals), the quorum is the number eligible:
   everyone eligible must vote. We chose this over "never quorate" because otherwise a small
   group could never ratify anything, and requiring every eligible voter keeps the bar high.
   Every ballot, including Needs more information, counts towards the quorum.
5. Needs more information. If Needs more information has more votes than Ratify and more than
   Decline (a strict plurality), the outcome is ``needs_more_information``.
6. Ratify or decline. Otherwise the Ratify share of the Ratify + Decline ballots is compared with
   ``threshold``: above it, ``ratified``; below it, ``declined``; exactly equal, the configured
   ``tie_rule``. At the default 0.5 this is a simple majority, and an even split goes to the tie
   rule. With threshold 2/3, two Ratify to one Decline is exactly on the threshold, so it is the
   tie rule that decides; an authority whose rule is "at least two-thirds" sets
   ``tie_rule = "ratify"``; likewise a unanimity rule is threshold 1 with
   ``tie_rule = "ratify"`` (no share can be above 1). Equality allows for rounding: a threshold
   within one millionth of the share counts as equal, so 2/3 may be written 0.666667 (but 0.67
   is 0.67, and two votes in three fall below it).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.domain.framework import VotingRules
from bot.domain.privacy import screen

COMMENT_MAX = 1000
# Shares of two small vote counts differ by far more than this, so it only absorbs rounding in
# how a threshold such as 2/3 was written.
_THRESHOLD_TOLERANCE = 1e-6


class Choice(StrEnum):
    RATIFY = "ratify"
    DECLINE = "decline"
    NEEDS_MORE_INFORMATION = "needs_more_information"


class Outcome(StrEnum):
    RATIFIED = "ratified"
    DECLINED = "declined"
    NEEDS_MORE_INFORMATION = "needs_more_information"
    NO_QUORUM = "no_quorum"


_TIE_OUTCOMES: dict[str, Outcome] = {
    "ratify": Outcome.RATIFIED,
    "decline": Outcome.DECLINED,
    "needs_more_information": Outcome.NEEDS_MORE_INFORMATION,
}

_COMMENT_REQUIRED: dict[Choice, str] = {
    Choice.DECLINE: "Please say why you are declining: the nominator receives your comment.",
    Choice.NEEDS_MORE_INFORMATION: "Please say what more information the group needs.",
}


@dataclass(frozen=True)
class Ballot:
    voter_id: int
    choice: Choice
    comment: str = ""


@dataclass(frozen=True)
class Tally:
    ratify: int = 0
    decline: int = 0
    needs_more_information: int = 0
    voters: frozenset[int] = field(default_factory=frozenset)

    @property
    def total(self) -> int:
        return self.ratify + self.decline + self.needs_more_information

    def count(self, choice: Choice) -> int:
        counts = {
            Choice.RATIFY: self.ratify,
            Choice.DECLINE: self.decline,
            Choice.NEEDS_MORE_INFORMATION: self.needs_more_information,
        }
        return counts[choice]


def eligible_voters(csw_ids: set[int], nominator_id: int, nominee_ids: set[int]) -> set[int]:
    """The CSWs who may vote: everyone in the group except the nominator and the nominees."""
    return csw_ids - {nominator_id} - nominee_ids


def validate_ballot(
    choice: Choice,
    comment: str,
    *,
    today: date | None = None,
    staff_names: Collection[str] = (),
) -> str | None:
    """The message to show the voter if the ballot cannot be accepted, else None. The comment
    is screened as every form's free text is: by the bot's clock (``today``), with the
    directory's names (``staff_names``) left alone."""
    text = comment.strip()
    if not text and choice in _COMMENT_REQUIRED:
        return _COMMENT_REQUIRED[choice]
    if len(text) > COMMENT_MAX:
        return (
            f"Please keep your comment to {COMMENT_MAX} characters; "
            f"it is {len(text)} at the moment."
        )
    findings = screen(text, today=today, staff_names=staff_names)
    if findings:
        # Comments reach the nominator (and the QA team): the same rule as everything else.
        return f"{findings[0].message}: refer to the child only by the case record number."
    return None


def latest_ballots(
    ballots: Iterable[Ballot], eligible: Collection[int] | None = None
) -> list[Ballot]:
    """One ballot per voter (the later one wins), dropping voters outside ``eligible``."""
    by_voter: dict[int, Ballot] = {}
    for ballot in ballots:
        if eligible is None or ballot.voter_id in eligible:
            by_voter.pop(ballot.voter_id, None)
            by_voter[ballot.voter_id] = ballot
    return list(by_voter.values())


def tally(ballots: Iterable[Ballot], eligible: Collection[int] | None = None) -> Tally:
    """Count the ballots, one per voter; if ``eligible`` is given, count only those voters."""
    counted = latest_ballots(ballots, eligible)
    choices = [ballot.choice for ballot in counted]
    return Tally(
        ratify=choices.count(Choice.RATIFY),
        decline=choices.count(Choice.DECLINE),
        needs_more_information=choices.count(Choice.NEEDS_MORE_INFORMATION),
        voters=frozenset(ballot.voter_id for ballot in counted),
    )


def still_to_vote(eligible: Collection[int], tally: Tally) -> set[int]:
    """The eligible CSWs who have not voted yet: the people a reminder goes to."""
    return set(eligible) - tally.voters


def required_ballots(rules: VotingRules, eligible_count: int) -> int:
    """The quorum, capped at the number of eligible voters (but never below one ballot)."""
    return max(1, min(rules.quorum, eligible_count))


def decide(tally: Tally, rules: VotingRules, eligible_count: int, closing: bool) -> Outcome | None:
    """The outcome, or None while the vote should stay open (see the module docstring).

    ``closing`` is True once the deadline has been reached.
    """
    everyone_voted = tally.total >= eligible_count
    if not (everyone_voted or closing):
        return None
    if tally.total < required_ballots(rules, eligible_count):
        return Outcome.NO_QUORUM
    if _needs_more_information_leads(tally):
        return Outcome.NEEDS_MORE_INFORMATION
    return _ratify_or_decline(tally, rules)


def _needs_more_information_leads(counted: Tally) -> bool:
    more = counted.needs_more_information
    return more > counted.ratify and more > counted.decline


def _ratify_or_decline(counted: Tally, rules: VotingRules) -> Outcome:
    decisive = counted.ratify + counted.decline
    if decisive == 0:  # only reachable with no ballots at all, which the quorum rules out
        return Outcome.NEEDS_MORE_INFORMATION
    share = counted.ratify / decisive
    if abs(share - rules.threshold) <= _THRESHOLD_TOLERANCE:
        return _TIE_OUTCOMES[rules.tie_rule]
    return Outcome.RATIFIED if share > rules.threshold else Outcome.DECLINED


def closes_at(
    opened_on: date, rules: VotingRules, add_working_days: Callable[[date, int], date]
) -> date:
    """The day the vote closes: ``close_after_working_days`` working days after it opened."""
    return add_working_days(opened_on, rules.close_after_working_days)


def reminder_on(
    opened_on: date, rules: VotingRules, add_working_days: Callable[[date, int], date]
) -> date | None:
    """The day to remind those who have not voted, or None if that would be the opening day.

    The reminder is ``remind_before_working_days`` working days before the close; 0 means the
    closing day itself. A reminder on or before the day the vote opened is pointless (the
    invitation has just gone out), so there is none.
    """
    days_after_opening = rules.close_after_working_days - rules.remind_before_working_days
    if days_after_opening < 1:
        return None
    return add_working_days(opened_on, days_after_opening)


def summarise_comments(
    ballots: Iterable[Ballot], name_of: Callable[[int], str] | None = None
) -> list[str]:
    """The voters' comments for the nominator, in ballot order, one line each.

    Anonymous ("A CSW: ...") unless ``name_of`` is given (``VotingRules.name_commenters``).
    Ballots without a comment are left out.
    """
    lines: list[str] = []
    for ballot in latest_ballots(ballots):
        comment = ballot.comment.strip()
        if comment:
            who = name_of(ballot.voter_id) if name_of is not None else "A CSW"
            lines.append(f"{who}: {comment}")
    return lines
