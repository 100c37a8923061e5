"""Pure rules of broadcasts: which digest period is due, who an audience is, how a broadcast's
recipients stand (the delivery report's totals) and failures in plain words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.digest import DigestPeriod, DigestRules
from bot.domain.roles import Role
from bot.domain.workdays import WorkingCalendar, add_months

PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


# --- periods ----------------------------------------------------------------------------------


def period_ending(end: date, rules: DigestRules) -> DigestPeriod:
    """The digest period that ends just before ``end`` (the first of a month)."""
    months = PERIOD_MONTHS[rules.period]
    start = add_months(end, -months)
    return DigestPeriod(start=start, end=end, label=period_label(start, months))


def period_label(start: date, months: int) -> str:
    last = add_months(start, months) - timedelta(days=1)
    if months == 1:
        return f"{start:%B %Y}"
    if months == 3 and start.month in (1, 4, 7, 10):
        fy = start.year if start.month >= 4 else start.year - 1
        return f"Q{(start.month - 4) % 12 // 3 + 1} {fy}-{(fy + 1) % 100:02d}"
    return f"{start:%B %Y} to {last:%B %Y}"


def due_period(today: date, rules: DigestRules, cal: WorkingCalendar) -> DigestPeriod | None:
    """The period whose digest is drafted today, if today is the framework's drafting day
    (the ``draft_on_working_day``-th working day of one of ``months``)."""
    if today.month not in rules.months:
        return None
    first = today.replace(day=1)
    drafting_day = cal.add_working_days(cal.on_or_after(first), rules.draft_on_working_day - 1)
    if today < drafting_day:
        return None
    return period_ending(first, rules)


def latest_period(today: date, rules: DigestRules) -> DigestPeriod:
    """The most recent whole period before today, on the framework's boundaries."""
    months = PERIOD_MONTHS[rules.period]
    anchor = rules.months[0] if rules.months else 1
    first = today.replace(day=1)
    while (first.month - anchor) % months:
        first = add_months(first, -1)
    return period_ending(first, rules)


_QUARTER = re.compile(r"^q([1-4])\s*(\d{4})(?:[-/](\d{2}))?$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_period(text: str, today: date, rules: DigestRules) -> DigestPeriod | str:
    """A period named by a person: "Q2 2026-27" (financial quarter), "2026-07" (the period
    starting that month), "last" or nothing. A string is the problem to show."""
    words = " ".join(text.split())
    if words.lower() in ("", "last", "latest"):
        return latest_period(today, rules)
    if found := _QUARTER.match(words):
        quarter, year = int(found.group(1)), int(found.group(2))
        start = add_months(date(year, 4, 1), 3 * (quarter - 1))
        return DigestPeriod(start, add_months(start, 3), period_label(start, 3))
    if found := _MONTH.match(words):
        year, month = int(found.group(1)), int(found.group(2))
        if 1 <= month <= 12:
            start = date(year, month, 1)
            months = PERIOD_MONTHS[rules.period]
            return DigestPeriod(start, add_months(start, months), period_label(start, months))
    return (
        f"“{words[:40]}” is not a period I know. Write a financial quarter like “Q2 2026-27”, "
        "a starting month like “2026-07”, or nothing for the last one."
    )


_SCOPE = re.compile(r"^(?P<period>.*?)\s*\bfor\s+(?P<kind>\w+)\s*(?P<name>.*)$", re.IGNORECASE)
SCOPE_KINDS = ("service", "team")


@dataclass(frozen=True)
class ScopeAsked:
    """What ``digest draft`` was asked for: the period's words and, if any, a service or a
    team by the name typed (checked against the directory by the caller)."""

    period: str
    kind: str = "authority"
    name: str = ""


def parse_scope(text: str) -> ScopeAsked | str:
    """``[period] [for service NAME | for team NAME]``. A string is the problem to show."""
    words = " ".join(text.split())
    found = _SCOPE.match(words)
    if found is None:
        return ScopeAsked(words)
    kind, name = found.group("kind").lower(), found.group("name").strip(" “”\"'")
    if kind in ("authority", "everyone", "all") and not name:
        return ScopeAsked(found.group("period"))
    if kind not in SCOPE_KINDS:
        return (
            f"“for {kind[:30]}” is not a scope I know. Write “for service NAME” or "
            "“for team NAME”, or nothing for the whole authority."
        )
    if not name:
        return f"Which {kind}? Write “for {kind} NAME”."
    return ScopeAsked(found.group("period"), kind, name[:120])


def match_name(name: str, known: Iterable[str]) -> str | None:
    """The directory's spelling of ``name`` (any case), or None."""
    wanted = name.casefold()
    return next((k for k in known if k.casefold() == wanted), None)


def unknown_name(kind: str, name: str, known: list[str]) -> str:
    listed = ", ".join(sorted(known)[:12]) + (" …" if len(known) > 12 else "")
    choice = (
        f" The {kind}s in the directory: {listed}." if known else f" The directory has no {kind}s."
    )
    return f"There is no {kind} called “{name[:60]}”.{choice}"


# --- audiences --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: channel routes (``team:<name>``, ``qa_team``) and roles whose
    holders get a direct message; services are expanded to their teams' channels."""

    all_teams: bool = False
    teams: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def tokens(self) -> list[str]:
        out = ["all-teams"] if self.all_teams else []
        out += [f"team:{t}" for t in self.teams] + [f"service:{s}" for s in self.services]
        out += [f"route:{r}" for r in self.routes] + [f"role:{r}" for r in self.roles]
        return out

    def describe(self) -> str:
        parts = ["every team channel"] if self.all_teams else []
        parts += [f"the {t} channel" for t in self.teams]
        parts += [f"every team channel in {s}" for s in self.services]
        parts += [f"the {r.replace('_', ' ')} channel" for r in self.routes]
        parts += [f"everyone with the {r.replace('_', ' ')} role" for r in self.roles]
        return ", ".join(parts) or "nobody"


ROUTES = ("qa_team", "csw_group", "celebrations")


def parse_audience(text: str, team_names: Iterable[str]) -> Audience | str:
    """``all-teams``, ``team:NAME``, ``service:NAME``, ``role:ROLE`` or a channel (``qa_team``),
    separated by commas. A string is the problem to show."""
    teams = {t.lower(): t for t in team_names}
    roles = {r.value for r in Role}
    found: dict[str, list[str]] = {"teams": [], "services": [], "routes": [], "roles": []}
    all_teams = False
    for raw in (p.strip() for p in text.split(",")):
        if not raw:
            continue
        kind, _, name = raw.partition(":")
        kind, name = kind.strip().lower(), name.strip()
        if kind in ("all-teams", "all_teams", "all", "all_team_channels") and not name:
            all_teams = True
        elif kind == "team" and name.lower() in teams:
            found["teams"].append(teams[name.lower()])
        elif kind == "team":
            return f"No team channel is configured for “{name[:60]}”."
        elif kind == "service" and name:
            found["services"].append(name)
        elif kind == "role" and name.lower().replace(" ", "_") in roles:
            found["roles"].append(name.lower().replace(" ", "_"))
        elif kind == "role":
            return f"“{name[:40]}” is not a role. Roles: {', '.join(sorted(roles))}."
        elif kind in ROUTES and not name:
            found["routes"].append(kind)
        else:
            return (
                f"I did not understand the audience “{raw[:60]}”. Use all-teams, "
                "team:NAME, service:NAME, role:ROLE or qa_team, separated by commas."
            )
    audience = Audience(
        all_teams,
        tuple(dict.fromkeys(found["teams"])),
        tuple(dict.fromkeys(found["services"])),
        tuple(dict.fromkeys(found["routes"])),
        tuple(dict.fromkeys(found["roles"])),
    )
    return audience if audience.tokens() else "Say who it goes to, for example all-teams."


def audience_from_tokens(tokens: Iterable[str]) -> Audience:
    teams, services, routes, roles = [], [], [], []
    all_teams = False
    for token in tokens:
        kind, _, name = token.partition(":")
        if kind == "all-teams":
            all_teams = True
        elif kind == "team":
            teams.append(name)
        elif kind == "service":
            services.append(name)
        elif kind == "route":
            routes.append(name)
        elif kind == "role":
            roles.append(name)
    return Audience(all_teams, tuple(teams), tuple(services), tuple(routes), tuple(roles))


# --- the delivery report ----------------------------------------------------------------------

DELIVERED, WAITING, FAILED = "delivered", "waiting", "failed"


@dataclass(frozen=True)
class RowState:
    """One outbox row of a broadcast: ``recipient`` names the channel or person (a part of a
    long broadcast is one row of its own)."""

    recipient: str
    status: str  # the outbox status: pending, sending, sent, dead
    confirmed: bool  # the platform gave back its id for the message (ts, activity id)
    attempts: int = 0
    error: str | None = None


@dataclass
class RecipientState:
    recipient: str
    state: str
    retrying: bool = False
    reason: str = ""


@dataclass
class Tally:
    recipients: list[RecipientState] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for r in self.recipients if r.state == state)

    @property
    def delivered(self) -> int:
        return self.count(DELIVERED)

    @property
    def waiting(self) -> int:
        return self.count(WAITING)

    @property
    def failed(self) -> int:
        return self.count(FAILED)

    @property
    def retrying(self) -> int:
        return sum(1 for r in self.recipients if r.state == WAITING and r.retrying)

    @property
    def total(self) -> int:
        return len(self.recipients)

    def key(self) -> str:
        return f"{self.delivered}-{self.waiting}-{self.retrying}-{self.failed}"


def tally(rows: Iterable[RowState]) -> Tally:
    """Each recipient once: delivered when every part was accepted with the platform's id for
    it; failed when a part failed for good (or was "sent" with no id: never counted as a
    success); waiting otherwise. So delivered + waiting + failed is every recipient."""
    by_recipient: dict[str, list[RowState]] = {}
    for row in rows:
        by_recipient.setdefault(row.recipient, []).append(row)
    out = Tally()
    for recipient, parts in sorted(by_recipient.items()):
        if any(p.status == "superseded" for p in parts):
            reason = "withdrawn: the person left and their personal data was removed"
            out.recipients.append(RecipientState(recipient, FAILED, reason=reason))
            continue
        dead = [p for p in parts if p.status == "dead"]
        unconfirmed = [p for p in parts if p.status == "sent" and not p.confirmed]
        if dead:
            out.recipients.append(RecipientState(recipient, FAILED, reason=plain(dead[0].error)))
        elif unconfirmed:
            reason = "the platform answered without a message id, so it may not have arrived"
            out.recipients.append(RecipientState(recipient, FAILED, reason=reason))
        elif all(p.status == "sent" for p in parts):
            out.recipients.append(RecipientState(recipient, DELIVERED))
        else:
            retrying = any(p.attempts or p.error for p in parts if p.status != "sent")
            error = next((p.error for p in parts if p.error), None)
            out.recipients.append(
                RecipientState(recipient, WAITING, retrying, plain(error) if error else "")
            )
    return out


_PLAIN = {
    "channel_not_found": "the Slack channel does not exist or the bot cannot see it",
    "not_in_channel": "the bot is not a member of the Slack channel: invite it",
    "is_archived": "the Slack channel is archived",
    "account_inactive": "the Slack account is deactivated",
    "user_not_found": "the Slack user no longer exists",
    "user_disabled": "the Slack user is deactivated",
    "msg_too_long": "the message was too long for Slack",
    "invalid_blocks": "Slack refused the message layout",
    "restricted_action": "the Slack workspace does not let the bot post there",
}


def plain(error: str | None) -> str:
    """A platform's failure in words the QA team can act on."""
    if not error:
        return "unknown failure"
    head = error.split(" ")[0].strip("():")
    if head in _PLAIN:
        return _PLAIN[head]
    if error.startswith("HTTP 403"):
        return "Teams refused (403): the bot was removed from the team or blocked by the person"
    if error.startswith("HTTP 404"):
        return "Teams says the conversation no longer exists (404)"
    if error.startswith("HTTP 429") or error.startswith("ratelimited"):
        return "rate limited by the platform: waiting as it asked"
    if error.startswith("HTTP 5") or error == "fatal_error" or error.startswith("internal_"):
        return f"the platform had a temporary fault ({error[:60]})"
    return error[:200]
