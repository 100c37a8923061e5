"""`qabot import staff`: idempotent, leavers kept but inactive, bad rows reported by line."""

from __future__ import annotations

from sqlalchemy import select

from bot.store import directory
from bot.store.directory import ImportReport
from bot.store.models import Person
from tests.conftest import BotEnv

HEADER = "email,name,roles,team,service,manager_email\n"


async def people(env: BotEnv) -> dict[str, Person]:
    async with env.runtime.db.session() as session:
        return {p.email: p for p in (await session.execute(select(Person))).unique().scalars()}


async def test_bad_rows_are_reported_with_line_numbers_and_the_rest_imports(env: BotEnv) -> None:
    csv_text = HEADER + (
        "ann@example.gov.uk,Ann Able,practitioner,Team A,Social Work,bob@example.gov.uk\n"
        "not-an-email,Bad Row,practitioner,Team A,Social Work,\n"
        "bob@example.gov.uk,Bob Boss,team_manager,Team A,Social Work,\n"
        "cat@example.gov.uk,Cat Cole,wizard,Team A,Social Work,\n"
        "dan@example.gov.uk,,practitioner,Team A,Social Work,\n"
        "ann@example.gov.uk,Ann Again,practitioner,Team A,Social Work,\n"
        '"eve@example.gov.uk","Eve, Evans",csw;practitioner,Team B,Social Work,bob@example.gov.uk\n'
    )
    report: ImportReport = await env.import_staff(csv_text)  # type: ignore[assignment]
    assert report.created == 3
    assert report.errors == [
        "line 3: email 'not-an-email' is not an email address",
        "line 5: unknown role 'wizard' (roles are: practitioner, team_manager, service_manager, "
        "residential_manager, head_of_service, assistant_director, director, csw, qa_team, iro, "
        "partner)",
        "line 6: name is empty",
        "line 7: ann@example.gov.uk already appears on line 2",
    ]
    found = await people(env)
    assert found["eve@example.gov.uk"].name == "Eve, Evans"
    assert found["eve@example.gov.uk"].role_names == {"csw", "practitioner"}
    assert found["ann@example.gov.uk"].manager_id == found["bob@example.gov.uk"].id


async def test_reimport_updates_and_marks_leavers_inactive_without_deleting(env: BotEnv) -> None:
    first = HEADER + (
        "ann@example.gov.uk,Ann Able,practitioner,Team A,Social Work,\n"
        "bob@example.gov.uk,Bob Boss,team_manager,Team A,Social Work,\n"
    )
    await env.import_staff(first)
    again: ImportReport = await env.import_staff(first)  # type: ignore[assignment]
    assert (again.created, again.updated, again.unchanged, again.deactivated) == (0, 0, 2, 0)
    second = HEADER + "ann@example.gov.uk,Ann Able-Smith,practitioner;csw,Team B,Social Work,\n"
    report: ImportReport = await env.import_staff(second)  # type: ignore[assignment]
    assert (report.created, report.updated, report.deactivated) == (0, 1, 1)
    found = await people(env)
    assert found["bob@example.gov.uk"].active is False
    assert found["ann@example.gov.uk"].name == "Ann Able-Smith"
    assert found["ann@example.gov.uk"].team is not None
    assert found["ann@example.gov.uk"].team.name == "Team B"
    assert found["ann@example.gov.uk"].role_names == {"practitioner", "csw"}


async def test_wrong_header_is_refused_whole(env: BotEnv) -> None:
    report: ImportReport = await env.import_staff("mail,name\nx@y.z,X\n")  # type: ignore[assignment]
    assert report.created == 0
    assert "missing: email, roles, team, service, manager_email" in report.errors[0]


async def test_slack_accounts_are_linked_by_email(env: BotEnv) -> None:
    env.slack_api.users["U0ANN"] = "ann@example.gov.uk"
    report: ImportReport = await env.import_staff(  # type: ignore[assignment]
        HEADER
        + "ann@example.gov.uk,Ann Able,practitioner,Team A,Social Work,\n"
        + "zed@example.gov.uk,Zed Zee,practitioner,Team A,Social Work,\n"
    )
    assert "zed@example.gov.uk: no Slack account with this email" in report.warnings
    lookups = env.slack_api.calls_to("users.lookupByEmail")
    assert {c.params["email"] for c in lookups} == {"ann@example.gov.uk", "zed@example.gov.uk"}
    async with env.runtime.db.session() as session:
        person = await directory.person_by_identity(session, "slack", "U0ANN")
    assert person is not None and person.email == "ann@example.gov.uk"


async def test_leaver_is_told_they_are_not_in_the_directory(staffed: BotEnv) -> None:
    from tests.conftest import STAFF_CSV

    without_sam = "\n".join(line for line in STAFF_CSV.splitlines() if not line.startswith("sam."))
    await staffed.import_staff(without_sam + "\n")
    status, body = await staffed.slack.command("USAM", "my tasks")
    assert status == 200
    assert "not in the directory" in body
