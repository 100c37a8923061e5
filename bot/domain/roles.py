"""The fixed set of roles a person can hold in the directory."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM_MANAGER = "team_manager"
    SERVICE_MANAGER = "service_manager"
    # Dudley's managers of children's homes: one case audit a quarter each (seed 001).
    RESIDENTIAL_MANAGER = "residential_manager"
    HEAD_OF_SERVICE = "head_of_service"
    ASSISTANT_DIRECTOR = "assistant_director"
    DIRECTOR = "director"
    CSW = "csw"
    QA_TEAM = "qa_team"
    IRO = "iro"
    PARTNER = "partner"


ROLE_LABELS: dict[Role, str] = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.SERVICE_MANAGER: "Service manager",
    Role.RESIDENTIAL_MANAGER: "Residential manager",
    Role.HEAD_OF_SERVICE: "Head of service",
    Role.ASSISTANT_DIRECTOR: "Assistant director",
    Role.DIRECTOR: "Director",
    Role.CSW: "Consultant Social Worker",
    Role.QA_TEAM: "QA / service improvement team",
    Role.IRO: "Independent Reviewing Officer",
    Role.PARTNER: "Partner agency",
}

MANAGER_ROLES = frozenset(
    {
        Role.TEAM_MANAGER,
        Role.SERVICE_MANAGER,
        Role.RESIDENTIAL_MANAGER,
        Role.HEAD_OF_SERVICE,
        Role.ASSISTANT_DIRECTOR,
        Role.DIRECTOR,
    }
)


def parse_roles(text: str) -> tuple[set[Role], list[str]]:
    """Parse a semicolon-separated role list; returns the roles and the unknown names."""
    roles: set[Role] = set()
    unknown: list[str] = []
    for raw in text.replace(",", ";").split(";"):
        name = raw.strip().lower().replace(" ", "_").replace("-", "_")
        if not name:
            continue
        try:
            roles.add(Role(name))
        except ValueError:
            unknown.append(raw.strip())
    return roles, unknown
