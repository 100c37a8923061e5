"""Tables. Typed SQLAlchemy 2 ORM; SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite (which keeps no zone) too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: UTCDateTime()}


class Service(Base):
    __tablename__ = "services"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    service: Mapped[Service | None] = relationship(lazy="joined")


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())

    team: Mapped[Team | None] = relationship(lazy="joined")
    roles: Mapped[list[PersonRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", back_populates="person"
    )

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}


class PersonRole(Base):
    __tablename__ = "person_roles"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    person: Mapped[Person] = relationship(back_populates="roles")


class PlatformIdentity(Base):
    """A person's account on a platform and, for Teams, the stored conversation reference."""

    __tablename__ = "platform_identities"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    # Slack: the user's DM channel once known. Teams: the serialised ConversationReference.
    conversation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ChannelLink(Base):
    """A channel the bot can post to: a Slack channel, or a Teams channel it was added to."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("platform", "conversation_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(200))
    team_external_id: Mapped[str | None] = mapped_column(String(300))
    reference: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())


class AwayPeriod(Base):
    __tablename__ = "away_periods"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(200))


class InboundEvent(Base):
    """Ids of processed Slack events and Teams activities, so a redelivery is not handled twice."""

    __tablename__ = "inbound_events"
    __table_args__ = (UniqueConstraint("platform", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(server_default=func.now())


class OutboxMessage(Base):
    """A message to send (or a sent card to update), persisted before any network call."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_card_key", "card_key"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # reply, reminder, escalation, vote, update ...
    operation: Mapped[str] = mapped_column(String(10), default="post")  # post | update | mark
    platform: Mapped[str] = mapped_column(String(16))  # slack | teams | console
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    route: Mapped[str | None] = mapped_column(String(200))  # a framework channel route name
    # Explicit address (a reply in a known conversation, or the message to update).
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    card_name: Mapped[str] = mapped_column(String(80))
    card_key: Mapped[str | None] = mapped_column(String(200))  # groups a card and its updates
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    claimed_at: Mapped[datetime | None] = mapped_column()
    # The process that claimed it for sending (bot.store.db.Claimant), so a dead one's claims
    # are taken over at once.
    claimed_by: Mapped[int | None] = mapped_column(Integer)
    # Set just before a send that a crash could cut off after the platform accepted it, and
    # cleared when the platform's answer says nothing was posted: a claimed row carrying it
    # may already be posted, so it is looked for before it is sent again (Slack).
    attempted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    sent_at: Mapped[datetime | None] = mapped_column()
    sent_ref: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """Append-only: what happened, who did it, to what."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column()
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class DialogState(Base):
    """A multi-step flow's state (a draft form), so a restart mid-dialog loses nothing."""

    __tablename__ = "dialog_state"
    __table_args__ = (UniqueConstraint("person_id", "flow"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    flow: Mapped[str] = mapped_column(String(60))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column()


class ServiceState(Base):
    """Small operational values: the scheduler heartbeat, the last sweep per job."""

    __tablename__ = "service_state"
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))
    updated_at: Mapped[datetime] = mapped_column()
