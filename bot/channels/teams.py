"""Microsoft Teams: botbuilder's CloudAdapter behind /api/messages, and an aiohttp sender.

Everything botbuilder-specific lives in this file. A turn never sends through botbuilder's
connector (a blocking ``requests`` call per message): replies are written to the outbox and
sent by the delivery worker over one shared aiohttp session with a cached token. Card
actions (``adaptiveCard/action`` invokes) are answered in the same HTTP response.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import time
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, InvokeResponse
from botframework.connector.auth import ConnectorFactory
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import QABot, RouteReplies, TurnResult, failure_reference
from bot.background import BackgroundTasks
from bot.cards import adaptive
from bot.cards.model import Card
from bot.channels import botbuilder_fixes
from bot.channels.base import AddressError, SendResult
from bot.channels.uploads import download_text
from bot.config import Settings
from bot.dialogs import common
from bot.dialogs.base import Action, Context, Reply, Turn
from bot.scheduler.inbox_worker import InboxWorker
from bot.store import directory
from bot.store.inbox import InboxUnavailable, Received
from bot.store.models import ChannelLink, OutboxMessage, PlatformIdentity
from bot.store.outbox import find_channel, route_target

log = logging.getLogger(__name__)
botbuilder_fixes.apply()

TRANSIENT_STATUSES = frozenset({408, 412, 500, 502, 503, 504})
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
FILE_CONTENT_TYPE = "application/vnd.microsoft.teams.file.download.info"


class _AuthConfig:
    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.microsoft_app_id
        self.APP_PASSWORD = settings.microsoft_app_password
        # With no app id (local development) authentication is off, whatever the app type.
        self.APP_TYPE = settings.microsoft_app_type if settings.microsoft_app_id else "MultiTenant"
        self.APP_TENANTID = settings.microsoft_app_tenant_id


class TokenProvider:
    """A bot token for outgoing calls, fetched once and reused until shortly before it expires."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._token: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()
        self._credentials: Any = None

    async def header(self) -> dict[str, str]:
        if not self._settings.microsoft_app_id:
            return {}  # local development: the emulator and the test connector take no token
        async with self._lock:
            if self._token is None or time.monotonic() > self._expires:
                self._token = await asyncio.to_thread(self._fetch)
                self._expires = time.monotonic() + 45 * 60
        return {"Authorization": f"Bearer {self._token}"}

    def _fetch(self) -> str:
        from botframework.connector.auth import MicrosoftAppCredentials

        if self._credentials is None:
            s = self._settings
            tenant = s.microsoft_app_tenant_id if s.microsoft_app_type == "SingleTenant" else None
            self._credentials = MicrosoftAppCredentials(
                s.microsoft_app_id, s.microsoft_app_password, channel_auth_tenant=tenant
            )
        token: str = self._credentials.get_access_token()
        return token


class TeamsConnector:
    """The Bot Connector REST calls the bot makes, over one aiohttp session."""

    def __init__(
        self, session: aiohttp.ClientSession, tokens: TokenProvider, timeout: float = 15.0
    ) -> None:
        self.session = session
        self.tokens = tokens
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def request(
        self, method: str, service_url: str, path: str, body: dict[str, Any] | None = None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        url = service_url.rstrip("/") + path
        headers = await self.tokens.header()
        async with self.session.request(
            method, url, json=body, headers=headers, timeout=self.timeout
        ) as response:
            text = await response.text()
            try:
                data = json.loads(text) if text else {}
            except json.JSONDecodeError:
                data = {"raw": text[:500]}
            return response.status, data if isinstance(data, dict) else {}, dict(response.headers)

    async def get_member(
        self, service_url: str, conversation_id: str, user_id: str
    ) -> dict[str, Any] | None:
        status, data, _ = await self.request(
            "GET", service_url, f"/v3/conversations/{conversation_id}/members/{user_id}"
        )
        return data if status == 200 else None

    async def team_members(self, service_url: str, team_id: str) -> list[dict[str, Any]]:
        members: list[dict[str, Any]] = []
        token: str | None = None
        for _ in range(100):  # at most 100 pages of 500
            path = f"/v3/conversations/{team_id}/pagedmembers?pageSize=500"
            if token:
                path += f"&continuationToken={token}"
            status, data, _ = await self.request("GET", service_url, path)
            if status != 200:
                break
            members.extend(data.get("members") or [])
            token = data.get("continuationToken")
            if not token:
                break
        return members

    async def team_channels(self, service_url: str, team_id: str) -> list[dict[str, Any]]:
        status, data, _ = await self.request(
            "GET", service_url, f"/v3/teams/{team_id}/conversations"
        )
        return list(data.get("conversations") or []) if status == 200 else []


class _CachingAuthentication(ConfigurationBotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication, reusing connector and user-token clients across turns.

    Out of the box every turn builds two msrest clients (and, with an app id, credentials that
    fetch their own token). The bot never sends through them, but botbuilder requires them;
    one per service URL and app id serves every turn."""

    def __init__(self, config: _AuthConfig) -> None:
        super().__init__(config)
        self._connectors: dict[tuple[str, str | None, str | None], Any] = {}
        self._user_token_clients: dict[str | None, Any] = {}

    async def authenticate_request(self, activity: Activity, auth_header: str) -> Any:
        result = await super().authenticate_request(activity, auth_header)
        if result.connector_factory is not None:
            result.connector_factory = _CachedConnectorFactory(
                result.connector_factory, self._connectors
            )
        return result

    async def create_user_token_client(self, claims_identity: Any) -> Any:
        app_id = _app_id_of(claims_identity)
        client = self._user_token_clients.get(app_id)
        if client is None:
            client = await super().create_user_token_client(claims_identity)
            if len(self._user_token_clients) < 64:
                self._user_token_clients[app_id] = client
        return client


class _CachedConnectorFactory(ConnectorFactory):  # type: ignore[misc]
    def __init__(self, inner: Any, cache: dict[tuple[str, str | None, str | None], Any]) -> None:
        self._inner = inner
        self._cache = cache

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        key = (service_url, audience, getattr(self._inner, "_app_id", None))
        client = self._cache.get(key)
        if client is None:
            client = await self._inner.create(service_url, audience)
            if len(self._cache) >= 256:  # a handful of service URLs in practice
                self._cache.clear()
            self._cache[key] = client
        return client


def _app_id_of(claims_identity: Any) -> str | None:
    # As botbuilder reads it: the audience for the channel, the appid claim for the emulator.
    claims = getattr(claims_identity, "claims", None) or {}
    return claims.get("aud") or claims.get("appid")


class TeamsChannel:
    def __init__(
        self,
        bot: QABot,
        settings: Settings,
        session: aiohttp.ClientSession,
        inbox: InboxWorker | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.adapter = CloudAdapter(_CachingAuthentication(_AuthConfig(settings)))
        # Messages are saved in the turn and handled by the inbox worker once the connector
        # has its answer; card actions are answered in the turn, so they run in it.
        self.inbox = inbox
        if inbox is not None:
            inbox.register("teams", self._handle_saved)
        self.adapter.on_turn_error = self._on_turn_error
        self.connector = TeamsConnector(session, TokenProvider(settings))
        self.sender = TeamsSender(self.connector, bot, settings)
        self.background = BackgroundTasks()

    # --- HTTP -----------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": "expected application/json"}, status=415)
        try:
            raw = await request.text()
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            log.warning("rejected a Teams request whose body is not JSON")
            return web.json_response({"error": "body is not valid JSON"}, status=400)
        if "\\u0000" in raw:  # JSON allows NUL in a string; PostgreSQL cannot store one
            body = _without_nul(body)
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("type"), str)
            or not isinstance(body.get("conversation"), dict)
        ):
            log.warning("rejected a Teams request that is not an activity")
            return web.json_response({"error": "body is not a Bot Framework activity"}, status=400)
        try:
            activity = Activity().deserialize(body)
        except Exception:
            log.warning("rejected a Teams activity that could not be read")
            return web.json_response({"error": "activity could not be read"}, status=400)
        auth_header = request.headers.get("Authorization", "")
        try:
            response = await self.adapter.process_activity(auth_header, activity, self.on_turn)
        except PermissionError:
            log.warning(
                "rejected a Teams request with a missing or invalid token from %s", request.remote
            )
            return web.json_response({"error": "unauthorized"}, status=401)
        except Exception as exc:
            if _is_auth_error(exc):
                log.warning(
                    "rejected a Teams request: token validation failed (%s)", type(exc).__name__
                )
                return web.json_response({"error": "unauthorized"}, status=401)
            raise
        if response is None:
            return web.Response(status=200)
        return web.json_response(response.body, status=response.status)

    async def _on_turn_error(self, context: TurnContext, error: Exception) -> None:
        log.error("Teams turn failed: %s", type(error).__name__, exc_info=error)

    # --- turns ----------------------------------------------------------------------------

    async def on_turn(self, context: TurnContext) -> None:
        """Handle an activity; if that fails, log it with a reference and tell the person
        (a card action gets the apology as its answer)."""
        try:
            await self._on_activity(context)
        except Exception:
            activity = context.activity
            reference = failure_reference()
            log.exception(
                "Teams %s failed, reference %s",
                activity.name or activity.type,
                reference,
            )
            if activity.type == ActivityTypes.invoke:
                card = common.error_card(reference)
                await self._invoke_response(context, adaptive.render_invoke_response(card))
            elif activity.type == ActivityTypes.message:
                await self._apologise(activity, reference, key=f"teams:failed:{reference}")

    async def _apologise(self, activity: Activity, reference: str, *, key: str) -> None:
        try:
            address = {"reference": _reference(activity)}
        except Exception:
            log.exception("cannot answer the failed Teams request (reference %s)", reference)
            return
        await self.bot.queue_apology("teams", address, reference, key=key)

    async def _on_activity(self, context: TurnContext) -> None:
        activity = context.activity
        if activity.type == ActivityTypes.message:
            await self._save_message(activity)
        elif activity.type == ActivityTypes.invoke and activity.name == "adaptiveCard/action":
            await self._on_card_action(context)
        elif activity.type == ActivityTypes.invoke:
            await self._invoke_response(context, {}, status=200)
        elif activity.type == ActivityTypes.conversation_update:
            await self._on_conversation_update(context)
        elif activity.type == ActivityTypes.installation_update:
            await self._on_installation_update(context)

    def _turn(
        self, activity: Activity, *, text: str | None = None, action: Action | None = None
    ) -> Turn:
        conversation = activity.conversation
        reference = _reference(activity)
        user = activity.from_property
        return Turn(
            platform="teams",
            user_id=(user.aad_object_id or user.id or "") if user else "",
            conversation_id=conversation.id if conversation else "",
            text=text,
            action=action,
            is_direct=(conversation.conversation_type or "personal") == "personal"
            if conversation
            else True,
            source_message={"reference": reference, "activity_id": activity.reply_to_id}
            if activity.reply_to_id
            else None,
            address={"reference": reference},
            answers_replace_card=True,
        )

    async def _run(
        self, activity: Activity, turn: Turn, *, route: RouteReplies | None = None
    ) -> TurnResult:
        event_id = _activity_key(activity, activity.id) if activity.id else None
        return await self.bot.handle(
            turn,
            event_id=event_id,
            resolve_email=lambda: self._member_email(activity),
            route=route,
        )

    async def _member_email(self, activity: Activity) -> str | None:
        user = activity.from_property
        # Optional in the schema: without them there is nobody to ask.
        if user is None or not user.id or not activity.service_url or activity.conversation is None:
            return None
        try:
            member = await self.connector.get_member(
                activity.service_url, activity.conversation.id, user.id
            )
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not look up a Teams member: %s", type(exc).__name__)
            return None
        email = (member or {}).get("email") or (member or {}).get("userPrincipalName")
        return email.lower() if isinstance(email, str) else None

    async def _save_message(self, activity: Activity) -> None:
        """Save a message and answer the connector; the inbox worker handles it next. If it
        cannot be saved, handle it now."""
        if self.inbox is not None:
            body = json.dumps(_serialized(activity), separators=(",", ":"))
            try:
                received = await self.inbox.inbox.save("teams", "message", body)
            except InboxUnavailable:
                log.warning("inbox unavailable: handling a Teams message in its turn")
            else:
                user = activity.from_property
                person_key = (user.id if user else "") or ""
                upload = _file_download_url(activity)
                if upload is None:
                    self.inbox.submit(received, person_key)
                else:  # fetched first, outside the lane
                    self.inbox.submit_with_file(self._download(upload), received, person_key)
                return
        await self._on_message(activity)

    async def _handle_saved(self, received: Received) -> None:
        if received.kind != "message":
            log.error("unknown saved Teams request kind %r", received.kind)
            return
        activity = Activity().deserialize(json.loads(received.body))
        try:
            await self._on_message(activity, received.attachment)
        except Exception:
            reference = failure_reference()
            log.exception("saved Teams message %s failed, reference %s", received.id, reference)
            await self._apologise(activity, reference, key=f"teams:failed:{received.id}")

    async def _on_message(self, activity: Activity, fetched: str | None = None) -> None:
        value = activity.value if isinstance(activity.value, dict) else None
        if value and value.get("verb"):
            # An Action.Submit from a client without Universal Actions.
            data = {k: v for k, v in value.items() if k != "verb"}
            turn = self._turn(activity, action=_action_from(value["verb"], data))
        else:
            text = _text_without_mention(activity)
            upload = _file_download_url(activity)
            turn = self._turn(activity, text=text.strip() or ("upload" if upload else ""))
            if upload is not None:
                attachment = fetched if fetched is not None else await self._download(upload)
                turn = dataclasses.replace(turn, attachment_text=attachment)
        key = f"teams:{_activity_key(activity, activity.id or uuid.uuid4().hex)}"
        await self._run(activity, turn, route=self._queue_all(turn, key))

    async def _download(self, url: str) -> str:
        """The text of a file sent to the bot ("" when it is too big, not text, or unreachable).

        Teams gives a short-lived, pre-authorised download URL: no token is sent with it."""
        if self.settings.teams_authenticated and not url.startswith("https://"):
            log.warning("refused to fetch a Teams file that is not on https")
            return ""
        return await download_text(self.connector.session, url, headers={}, what="a Teams file")

    async def _on_card_action(self, context: TurnContext) -> None:
        activity = context.activity
        value: dict[str, Any] = activity.value if isinstance(activity.value, dict) else {}
        raw_action = value.get("action")
        action: dict[str, Any] = raw_action if isinstance(raw_action, dict) else {}
        verb = str(action.get("verb") or "")
        raw_data = action.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        turn = self._turn(activity, action=_action_from(verb, data))
        key = f"teams:{_activity_key(activity, activity.id or uuid.uuid4().hex)}"
        queue = self._queue_all(turn, key)

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            # The first card that replaces the pressed one answers the invoke; the rest queue.
            inline = next((r for r in replies if r.replace or r.errors or r.card.is_form), None)
            inline = inline or (replies[0] if replies else None)
            await queue(ctx, [r for r in replies if r is not inline])
            return [inline] if inline else []

        result = await self._run(activity, turn, route=route)
        if result.duplicate:
            body = adaptive.render_message_invoke_response("Already done.")
        elif result.replies:
            body = adaptive.render_invoke_response(result.replies[0].card)
        else:
            body = adaptive.render_message_invoke_response("Done.")
        await self._invoke_response(context, body)

    async def _invoke_response(
        self, context: TurnContext, body: dict[str, Any], status: int = 200
    ) -> None:
        await context.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=status, body=body)
            )
        )

    def _queue_all(self, turn: Turn, key: str) -> RouteReplies:
        """Queue every reply to this conversation (a replacement updates the pressed card)."""

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            if turn.address is None:
                return replies
            for index, reply in enumerate(replies):
                source = turn.source_message
                if reply.replace and source and source.get("activity_id"):
                    await ctx.outbox.replace("teams", source, reply.card, key=f"{key}:{index}")
                else:
                    await ctx.outbox.reply("teams", turn.address, reply.card, key=f"{key}:{index}")
            return []

        return route

    # --- installation -----------------------------------------------------------------------

    async def _on_conversation_update(self, context: TurnContext) -> None:
        activity = context.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m for m in activity.members_added or [] if m.id == bot_id]
        removed = [m for m in activity.members_removed or [] if m.id == bot_id]
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        team = _named_object(channel_data, "team")
        reference = _reference(activity)
        conversation_type = (
            activity.conversation.conversation_type if activity.conversation else None
        )
        if added or removed:
            await self._record_install(
                context, reference, team, conversation_type, active=not removed
            )
        elif team and channel_data.get("eventType") in ("channelCreated", "channelRenamed"):
            channel = _named_object(channel_data, "channel")
            if not channel.get("id"):
                return
            async with self.bot.db.session() as session:
                await directory.record_channel(
                    session,
                    platform="teams",
                    conversation_id=channel.get("id", ""),
                    name=channel.get("name"),
                    team_external_id=team.get("id"),
                    reference=_channel_reference(reference, channel.get("id", "")),
                    now=self.bot.clock(),
                )

    async def _on_installation_update(self, context: TurnContext) -> None:
        activity = context.activity
        channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
        reference = _reference(activity)
        conversation_type = (
            activity.conversation.conversation_type if activity.conversation else None
        )
        active = (activity.action or "add").startswith("add")
        await self._record_install(
            context,
            reference,
            _named_object(channel_data, "team"),
            conversation_type,
            active=active,
        )

    async def _record_install(
        self,
        context: TurnContext,
        reference: dict[str, Any],
        team: dict[str, Any],
        conversation_type: str | None,
        *,
        active: bool,
    ) -> None:
        activity = context.activity
        now = self.bot.clock()
        if conversation_type in (None, "personal") and not team:
            user = activity.from_property
            if user is None or not (user.aad_object_id or user.id):
                log.warning("Teams personal install without a user: nothing to link")
                return
            email = await self._member_email(activity) if active else None
            async with self.bot.db.session() as session:
                person = await directory.person_by_identity(
                    session, "teams", user.aad_object_id or user.id
                )
                if person is None and email:
                    person = await directory.person_by_email(session, email)
                if person is not None:
                    await directory.link_identity(
                        session,
                        person,
                        "teams",
                        user.aad_object_id or user.id,
                        now,
                        {"reference": reference},
                    )
            log.info("Teams app %s in personal scope", "installed" if active else "removed")
            return
        async with self.bot.db.session() as session:
            await directory.record_channel(
                session,
                platform="teams",
                conversation_id=activity.conversation.id,
                name=team.get("name") or activity.conversation.name,
                team_external_id=team.get("id"),
                reference=reference,
                now=now,
                active=active,
            )
        log.info("Teams app %s in a team", "added" if active else "removed")
        if active and team.get("id"):
            self.background.start(self._sync_team(activity.service_url, team["id"], reference))

    async def _sync_team(self, service_url: str, team_id: str, reference: dict[str, Any]) -> None:
        """Learn the team's channels and link its members, after the turn has been answered."""
        try:
            channels = await self.connector.team_channels(service_url, team_id)
            members = await self.connector.team_members(service_url, team_id)
        except (aiohttp.ClientError, TimeoutError) as exc:
            log.warning("could not read the team roster: %s", type(exc).__name__)
            return
        now = self.bot.clock()
        linked = 0
        async with self.bot.db.session() as session:
            for channel in channels:
                if not channel.get("id"):
                    continue
                await directory.record_channel(
                    session,
                    platform="teams",
                    conversation_id=channel["id"],
                    name=channel.get("name") or None,
                    team_external_id=team_id,
                    reference=_channel_reference(reference, channel["id"]),
                    now=now,
                )
            for member in members:
                email = member.get("email") or member.get("userPrincipalName")
                aad = member.get("aadObjectId")
                if not (isinstance(email, str) and aad):
                    continue
                person = await directory.person_by_email(session, email)
                if person is None:
                    continue
                existing = await directory.identity_of(session, person.id, "teams")
                known = existing.conversation if existing else None
                # A chat already open is kept; a roster link is refreshed (an older version
                # stored it without the tenant).
                conversation = (
                    known
                    if known and "reference" in known
                    else {
                        "member_id": member.get("id"),
                        "service_url": service_url,
                        "tenant_id": _reference_tenant(reference),
                        "team_id": team_id,
                        "bot": reference.get("bot"),
                    }
                )
                await directory.link_identity(session, person, "teams", aad, now, conversation)
                linked += 1
        log.info("Teams roster synced: %d channels, %d people linked", len(channels), linked)


def _without_nul(value: Any) -> Any:
    """``value`` with every NUL character taken out of its strings (keys included)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _named_object(channel_data: dict[str, Any], key: str) -> dict[str, str]:
    """The ``id`` and ``name`` of ``channelData.team`` or ``.channel``, when they are text.
    The Activity schema gives ``channelData`` no shape at all."""
    found = channel_data.get(key)
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if k in ("id", "name") and isinstance(v, str) and v}


def _serialized(activity: Activity) -> dict[str, Any]:
    """The activity as JSON, to save. botbuilder's ``serialize`` drops every field of an
    entity but ``type``, and with them the @mention the message text is read without."""
    data: dict[str, Any] = activity.serialize()
    if activity.entities:
        data["entities"] = [
            {**(getattr(e, "additional_properties", None) or {}), "type": e.type}
            for e in activity.entities
        ]
    return data


def _activity_key(activity: Activity, activity_id: str) -> str:
    """``conversation|activity`` ids, to recognise a redelivery and key the replies. The store
    keeps 300 characters of a key and ids may be any length: a long pair is hashed, so two
    messages in a conversation with a long id are never taken for one."""
    key = f"{activity.conversation.id}|{activity_id}"
    if len(key) <= 200:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _reference(activity: Activity) -> dict[str, Any]:
    """The conversation reference to store, without the per-message activity id (so an
    unchanged reference compares equal and is not written again on every turn), and with the
    tenant Teams sent: botbuilder reads ``conversation.tenantID`` and so drops the
    ``tenantId`` Teams sends, which a new 1:1 chat needs."""
    reference: dict[str, Any] = TurnContext.get_conversation_reference(activity).serialize()
    reference.pop("activityId", None)
    tenant = tenant_of(activity)
    if tenant:
        conversation = reference.setdefault("conversation", {})
        conversation.pop("tenantID", None)
        conversation["tenantId"] = tenant
    return reference


def tenant_of(activity: Activity) -> str | None:
    """The Azure AD tenant an activity came from: ``channelData.tenant.id``, else
    ``conversation.tenantId``."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant")
    if isinstance(tenant, dict) and isinstance(tenant.get("id"), str) and tenant["id"]:
        return str(tenant["id"])
    conversation = activity.conversation
    if conversation is None:
        return None
    extra = getattr(conversation, "additional_properties", None) or {}
    found = conversation.tenant_id or extra.get("tenantId")
    return found if isinstance(found, str) and found else None


def _reference_tenant(reference: dict[str, Any] | None) -> str | None:
    conversation = (reference or {}).get("conversation") or {}
    found = conversation.get("tenantId") or conversation.get("tenantID")
    return found if isinstance(found, str) and found else None


def _text_without_mention(activity: Activity) -> str:
    """The message text without the bot's @mention (an activity need not name its
    recipient: Web Chat through Direct Line sends none).

    Not botbuilder's ``remove_recipient_mention``: it fails on a mention entity whose
    ``mentioned`` or ``text`` is not what it expects (an Entity only needs a ``type``) and on a
    message with no text, and it uses the bot's name as a regular expression, so a name with
    brackets is not removed (or fails)."""
    text = activity.text if isinstance(activity.text, str) else ""
    bot_id = activity.recipient.id if activity.recipient is not None else None
    if not bot_id:
        return text
    for entity in activity.entities or []:
        extra = getattr(entity, "additional_properties", None) or {}
        mentioned = extra.get("mentioned")
        if str(entity.type or "").lower() != "mention" or not isinstance(mentioned, dict):
            continue
        if mentioned.get("id") != bot_id:
            continue
        shown = extra.get("text")
        name = mentioned.get("name")
        if isinstance(shown, str) and shown:
            text = text.replace(shown, "")
        elif isinstance(name, str) and name:
            text = text.replace(f"<at>{name}</at>", "")
    return text


def _action_from(verb: str, data: dict[str, Any]) -> Action:
    """Split a submitted card's data into the button's data and the inputs' values."""
    button_keys = data.get("_keys")
    if isinstance(button_keys, list):
        own = {k: data[k] for k in button_keys if k in data}
        inputs = {k: v for k, v in data.items() if k not in own and k != "_keys"}
        return Action(verb=verb, data=own, inputs=inputs)
    return Action(verb=verb, data=dict(data), inputs=dict(data))


def _file_download_url(activity: Activity) -> str | None:
    """The download URL of a file sent in a personal chat, if there is one."""
    for attachment in activity.attachments or []:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        if attachment.content_type == FILE_CONTENT_TYPE and content.get("downloadUrl"):
            return str(content["downloadUrl"])
    return None


def _channel_reference(reference: dict[str, Any], channel_id: str) -> dict[str, Any]:
    ref: dict[str, Any] = json.loads(json.dumps(reference))
    ref.setdefault("conversation", {})["id"] = channel_id
    ref["conversation"]["conversationType"] = "channel"
    return ref


def _is_auth_error(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in {
        "InvalidTokenError",
        "DecodeError",
        "ExpiredSignatureError",
    } or "Unauthorized" in str(exc)


class TeamsSender:
    platform = "teams"

    def __init__(self, connector: TeamsConnector, bot: QABot, settings: Settings) -> None:
        self.connector = connector
        self.bot = bot
        self.settings = settings

    async def resolve(self, session: AsyncSession, message: OutboxMessage) -> dict[str, Any]:
        if message.address:
            return dict(message.address)
        if message.person_id is not None:
            identity = await directory.identity_of(session, message.person_id, "teams")
            if identity is None or not identity.conversation:
                raise AddressError(f"person {message.person_id} has not installed the Teams app")
            conv = identity.conversation
            if "reference" in conv:
                return {"reference": conv["reference"]}
            tenant = conv.get("tenant_id") or await self._known_tenant(session, conv.get("team_id"))
            return {"create_for": {**conv, "tenant_id": tenant}, "identity_id": identity.id}
        if message.route:
            target = route_target(self.bot.framework, message.route, "teams")
            if target is None:
                raise AddressError(f"no Teams channel is configured for {message.route}")
            link = await find_channel(session, "teams", target)
            if link is None or not link.reference:
                raise AddressError(
                    f"Teams channel {target!r} is not known: add the app to that team first"
                )
            return {"reference": link.reference}
        raise AddressError("outbox row has no recipient")

    async def _known_tenant(self, session: AsyncSession, team_id: str | None) -> str | None:
        """The tenant for a 1:1 chat with someone linked from a roster before their tenant was
        recorded (a link stored by an older version): the tenant recorded for their team, else
        the configured one, else the one tenant Teams has sent the bot since."""
        links = (
            await session.execute(
                select(ChannelLink.team_external_id, ChannelLink.reference).where(
                    ChannelLink.platform == "teams"
                )
            )
        ).all()
        tenants = {_reference_tenant(ref) for team, ref in links if team == team_id and team_id}
        tenants.discard(None)
        if len(tenants) == 1:
            return tenants.pop()
        if self.settings.microsoft_app_tenant_id:
            return self.settings.microsoft_app_tenant_id
        known = {_reference_tenant(ref) for _, ref in links}
        known.update(await self._tenants_of_recent_chats(session))
        known.discard(None)
        return known.pop() if len(known) == 1 else None

    async def _tenants_of_recent_chats(self, session: AsyncSession) -> set[str | None]:
        identities = await session.execute(
            select(PlatformIdentity.conversation)
            .where(PlatformIdentity.platform == "teams")
            .order_by(PlatformIdentity.updated_at.desc())
            .limit(50)
        )
        return {_reference_tenant((conv or {}).get("reference")) for conv in identities.scalars()}

    async def post(self, address: dict[str, Any], card: Card) -> SendResult:
        learned = None
        if "create_for" in address:
            created = await self._create_personal_conversation(address["create_for"])
            if not created.ok:
                return created
            learned = {
                "identity_id": address.get("identity_id"),
                "conversation": {"reference": created.ref},
            }
            address = {"reference": created.ref}
        reference = address["reference"]
        service_url = reference.get("serviceUrl") or reference.get("service_url")
        conversation_id = (reference.get("conversation") or {}).get("id")
        if not service_url or not conversation_id:
            return SendResult.failed("conversation reference is incomplete", permanent=True)
        activity = _card_activity(card, reference)
        result = await self._call(
            "POST", service_url, f"/v3/conversations/{conversation_id}/activities", activity
        )
        if result.ok and result.ref is not None:
            ref = {
                "reference": reference,
                "activity_id": result.ref.get("id"),
            }
            return SendResult(ok=True, ref=ref, learned=learned)
        return result

    async def update(self, ref: dict[str, Any], card: Card) -> SendResult:
        reference = ref.get("reference") or {}
        activity_id = ref.get("activity_id")
        service_url = reference.get("serviceUrl")
        conversation_id = (reference.get("conversation") or {}).get("id")
        if not (activity_id and service_url and conversation_id):
            return SendResult.failed("nothing to update: the message id is unknown", permanent=True)
        activity = _card_activity(card, reference)
        activity["id"] = activity_id
        result = await self._call(
            "PUT",
            service_url,
            f"/v3/conversations/{conversation_id}/activities/{activity_id}",
            activity,
        )
        return SendResult.sent(ref) if result.ok else result

    async def _create_personal_conversation(self, info: dict[str, Any]) -> SendResult:
        service_url = info.get("service_url")
        if not service_url or not info.get("member_id"):
            return SendResult.failed("no way to reach this person on Teams yet", permanent=True)
        tenant = info.get("tenant_id")
        if not tenant:
            return SendResult.failed(
                "cannot start a Teams chat: the tenant is unknown (set MICROSOFT_APP_TENANT_ID, "
                "or add the app to the person's team again)",
                permanent=True,
            )
        body = {
            "isGroup": False,
            "bot": info.get("bot") or {"id": self.settings.microsoft_app_id or "qabot"},
            "members": [{"id": info["member_id"]}],
            "tenantId": tenant,
            "channelData": {"tenant": {"id": tenant}},
        }
        result = await self._call("POST", service_url, "/v3/conversations", body)
        if not result.ok or result.ref is None:
            return result
        reference = {
            "serviceUrl": service_url,
            "channelId": "msteams",
            "bot": body["bot"],
            "user": {"id": info["member_id"]},
            "conversation": {
                "id": result.ref.get("id"),
                "conversationType": "personal",
                "tenantId": tenant,
            },
        }
        return SendResult.sent(reference)

    async def _call(
        self, method: str, service_url: str, path: str, body: dict[str, Any]
    ) -> SendResult:
        try:
            status, data, headers = await self.connector.request(method, service_url, path, body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult.failed(f"{type(exc).__name__}: {exc}")
        if 200 <= status < 300:
            return SendResult.sent(data)
        error = f"HTTP {status}: {str(data.get('error') or data)[:200]}"
        if status == 429:
            return SendResult.throttled(_retry_after(headers), error)
        return SendResult.failed(error, permanent=status not in TRANSIENT_STATUSES)


def _retry_after(headers: dict[str, str]) -> float:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return max(0.0, float(value))
            except ValueError:
                return 1.0
    return 1.0


def _card_activity(card: Card, reference: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "message",
        "from": reference.get("bot"),
        "conversation": {"id": (reference.get("conversation") or {}).get("id")},
        "summary": card.fallback[:250],
        "attachments": [{"contentType": CARD_CONTENT_TYPE, "content": adaptive.render(card)}],
    }


__all__ = ["TeamsChannel", "TeamsSender"]
