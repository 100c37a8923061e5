"""Measure candidate fixes before they are made in bot/: runs the qabot CLI with some of them
applied as monkeypatches. An experiment harness for docs/performance.md, not a way to run the
bot; delete each patch once the real fix is in bot/.

    .venv/bin/python -m bench.load --qabot-command \\
        ".venv/bin/python -m bench.whatif msrest,gc-freeze,sqlite-one-connection"

The first argument names the patches (comma-separated, or ``none``); the rest goes to qabot.

msrest                  msrest's ClientRetryPolicy tests ``i not in <list of 500>`` for 999
                        codes each time it is built; botbuilder builds two per turn (a
                        ConnectorClient and a UserTokenClient qabot never uses): ~10 ms of CPU a
                        turn. Make the list a frozenset.
gc-freeze               gc.collect(); gc.freeze() once serving: the ~170k objects of start-up
                        leave the collector's view, so a full collection no longer stops the
                        loop for ~100 ms.
sqlite-one-connection   SQLite only: one pooled connection (pool_size=1, max_overflow=0), so
                        concurrent units of work queue in asyncio instead of sleeping in SQLite's
                        busy handler (1, 2, 5 ... 100 ms naps) while another holds the write lock.
identity-cache          remember platform id -> Person for 30 s (an upper bound for the gain of
                        a proper cache or a one-query lookup; a detached ORM object is not a
                        safe design).
teams-link-skip         skip link_identity's UPDATE when the person and the conversation
                        reference (without its per-message activityId) are unchanged.
lean-form-choices       the nomination form's choices from one narrow query, nearest colleagues
                        first, LIMIT 101, instead of loading the whole directory as ORM objects.
"""

from __future__ import annotations

import gc
import json
import sys
import time
from typing import Any

PATCHES = (
    "msrest",
    "gc-freeze",
    "sqlite-one-connection",
    "identity-cache",
    "teams-link-skip",
    "lean-form-choices",
)


def patch_msrest() -> None:
    from msrest.universal_http.requests import ClientRetryPolicy

    ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def patch_gc_freeze() -> None:
    import bot.runtime as runtime

    serve = runtime.Runtime.serve

    async def serve_then_freeze(self: Any, *args: Any, **kwargs: Any) -> None:
        await serve(self, *args, **kwargs)
        gc.collect()
        gc.freeze()

    runtime.Runtime.serve = serve_then_freeze  # type: ignore[method-assign]


def patch_sqlite_one_connection() -> None:
    import bot.store.db as db

    engine_args = db._engine_args

    def one_connection(url: str, schema: str | None) -> dict[str, Any]:
        args = engine_args(url, schema)
        if url.startswith("sqlite"):
            args.update(pool_size=1, max_overflow=0, pool_timeout=60)
        return args

    db._engine_args = one_connection


def patch_directory(cache: bool, link_skip: bool) -> None:
    from bot.store import directory

    by_identity = directory.person_by_identity
    link_identity = directory.link_identity
    people: dict[tuple[str, str], tuple[float, Any]] = {}
    links: dict[tuple[str, str], tuple[int, str]] = {}

    async def cached_person(session: Any, platform: str, external_id: str) -> Any:
        hit = people.get((platform, external_id))
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        person = await by_identity(session, platform, external_id)
        if person is not None:
            people[(platform, external_id)] = (time.monotonic() + 30, person)
        return person

    async def link_if_changed(
        session: Any,
        person: Any,
        platform: str,
        external_id: str,
        now: Any,
        conversation: dict[str, Any] | None = None,
    ) -> Any:
        stable: Any = conversation
        if conversation and isinstance(conversation.get("reference"), dict):
            reference = {k: v for k, v in conversation["reference"].items() if k != "activityId"}
            stable = {**conversation, "reference": reference}
        key, value = (platform, external_id), (person.id, json.dumps(stable, sort_keys=True))
        if links.get(key) == value:
            return None
        linked = await link_identity(session, person, platform, external_id, now, conversation)
        links[key] = value
        return linked

    if cache:
        directory.person_by_identity = cached_person
    if link_skip:
        directory.link_identity = link_if_changed


def patch_lean_form_choices() -> None:
    from sqlalchemy import case, select

    import bot.dialogs.nomination_form as form
    from bot.cards.model import Choice
    from bot.dialogs.nomination_cards import FormChoices
    from bot.store.models import Person, Team

    async def form_choices(ctx: Any) -> Any:
        me = ctx.person
        service = me.team.service_id if me.team else None
        query = (
            select(Person.id, Person.name, Team.name)
            .outerjoin(Team, Person.team_id == Team.id)
            .where(Person.active.is_(True), Person.id != me.id)
            .order_by(
                case((Person.team_id == me.team_id, 0), else_=1),
                case((Team.service_id == service, 0), else_=1),
                Person.name,
            )
            .limit(form.MAX_PEOPLE_CHOICES + 1)
        )
        rows = (await ctx.session.execute(query)).all()
        many = len(rows) > form.MAX_PEOPLE_CHOICES
        rows = sorted(rows[: form.MAX_PEOPLE_CHOICES], key=lambda r: r[1])
        teams = (
            await ctx.session.execute(
                select(Team.id, Team.name).order_by(Team.name).limit(form.MAX_TEAM_CHOICES)
            )
        ).all()
        return FormChoices(
            people=[
                Choice(title=f"{name} ({team})" if team else name, value=str(pid))
                for pid, name, team in rows
            ],
            teams=[Choice(title="No: only the people chosen", value=form.NO_TEAM)]
            + [Choice(title=name, value=str(tid)) for tid, name in teams],
            many_people=many,
        )

    form.form_choices = form_choices


def apply(names: set[str]) -> None:
    unknown = names - set(PATCHES)
    if unknown:
        raise SystemExit(f"unknown patch(es) {', '.join(sorted(unknown))}: {', '.join(PATCHES)}")
    if "msrest" in names:
        patch_msrest()
    if "gc-freeze" in names:
        patch_gc_freeze()
    if "sqlite-one-connection" in names:
        patch_sqlite_one_connection()
    if names & {"identity-cache", "teams-link-skip"}:
        patch_directory("identity-cache" in names, "teams-link-skip" in names)
    if "lean-form-choices" in names:
        patch_lean_form_choices()


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(
            f"usage: python -m bench.whatif PATCH[,PATCH...]|none QABOT-ARGS...\n{__doc__}"
        )
    names = {n.strip() for n in sys.argv[1].split(",") if n.strip() and n.strip() != "none"}
    apply(names)
    from bot.cli import main as qabot

    sys.argv = ["qabot", *sys.argv[2:]]
    qabot()


if __name__ == "__main__":
    main()
