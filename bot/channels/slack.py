"""Slack: a Bolt AsyncApp behind /slack/events (HTTP mode) or Socket Mode, and the sender.

Nothing is acknowledged before it is saved. Button presses and events are saved to the inbox
(bot/store/inbox.py), acknowledged, and handled by the inbox worker; slash commands and modal
submissions, whose answer is the acknowledgement itself, are handled before it. Follow-up
messages go through the outbox; modals open in the background right after (a trigger_id lives
for three seconds).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable, Collection
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import QABot, RouteReplies, TurnResult, failure_reference
from bot.background import BackgroundTasks
from bot.cards import blockkit
from bot.cards.model import Card
from bot.channels.base import AddressError, LookupFailed, SendResult
from bot.channels.slack_requests import (
    Malformed,
    check_body,
    response_url_is_allowed,
    signature_is_valid,
)
from bot.channels.uploads import MAX_UPLOAD_BYTES, download_text
from bot.config import Settings
from bot.dialogs import common
from bot.dialogs.base import Action, Context, Reply, Turn
from bot.scheduler.inbox_worker import InboxWorker
from bot.scheduler.ratelimit import SlidingWindowLimiter, Windows
from bot.store import directory
from bot.store.inbox import InboxUnavailable, Received
from bot.store.models import OutboxMessage
from bot.store.outbox import find_channel, route_target

log = logging.getLogger(__name__)

MENTION = re.compile(r"<@[A-Z0-9]+>")
# The message metadata of outbox posts: {"event_type": ..., "event_payload": {"key": ...}}.
OUTBOX_EVENT_TYPE = "qabot_outbox"
# conversations.history: Tier 3 (50+ a minute); pages of up to 200 messages, as Slack advises.
HISTORY_RATE: Windows = ((60.0, 50),)
HISTORY_PAGE = 200
HISTORY_MAX_PAGES = 10
# Errors after which retrying the same message cannot succeed.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "account_inactive",
        "user_not_found",
        "user_disabled",
        "invalid_blocks",
        "invalid_blocks_format",
        "msg_too_long",
        "no_text",
        "cant_update_message",
        "message_not_found",
        "edit_window_closed",
        "restricted_action",
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "missing_scope",
    }
)


class SlackChannel:
    def __init__(
        self,
        bot: QABot,
        settings: Settings,
        session: aiohttp.ClientSession,
        inbox: InboxWorker | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self._http = session
        # Requests saved before they are acknowledged, handled by the inbox worker; without
        # one, each is handled before it is acknowledged.
        self.inbox = inbox
        if inbox is not None:
            inbox.register("slack", self._handle_saved)
        self.background = BackgroundTasks()
        self.socket_mode_connected = asyncio.Event()
        base_url = settings.slack_api_url.rstrip("/") + "/"
        # One HTTP session for every call; Bolt's client retries 429s after Retry-After.
        self.client = AsyncWebClient(
            token=settings.slack_bot_token,
            base_url=base_url,
            session=session,
            retry_handlers=[
                AsyncConnectionErrorRetryHandler(),
                AsyncRateLimitErrorRetryHandler(max_retry_count=2),
            ],
        )
        # The outbox sender handles 429 itself so it can pause just that conversation.
        self.sender = SlackSender(
            AsyncWebClient(
                token=settings.slack_bot_token,
                base_url=base_url,
                session=session,
                retry_handlers=[AsyncConnectionErrorRetryHandler()],
            ),
            bot,
            http=session,
            api_url=settings.slack_api_url,
        )
        self.app = AsyncApp(
            client=self.client,
            signing_secret=settings.slack_signing_secret,
            token=settings.slack_bot_token,
            # Listeners run to the end before Slack is answered; they are quick (they save the
            # request and leave the rest to the inbox worker), and so nothing is acknowledged
            # before it is saved. Events included: otherwise Bolt acknowledges them first.
            process_before_response=True,
            raise_error_for_unhandled_request=False,
            # handle_http checks the signature on the raw bytes before anything is parsed;
            # Socket Mode requests come over the app-token connection and carry none.
            request_verification_enabled=False,
        )
        self._register()

    # --- HTTP -----------------------------------------------------------------------------

    async def handle_http(self, request: web.Request) -> web.Response:
        """Check the signature on the raw bytes, then the body's shape, then let Bolt route it.
        Nothing about an unsigned request is read; a signed one that is malformed gets 400."""
        raw = await request.read()
        headers = request.headers
        if not signature_is_valid(
            self.settings.slack_signing_secret or "",
            raw,
            headers.get("X-Slack-Request-Timestamp"),
            headers.get("X-Slack-Signature"),
        ):
            log.warning(
                "rejected Slack request with a missing, invalid or stale signature from %s",
                request.remote,
            )
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            command = check_body(raw, headers.get("Content-Type", ""))
        except Malformed as exc:
            log.warning("rejected a signed Slack request: %s", exc)
            return web.json_response({"error": str(exc)}, status=400)
        if command is not None:
            # Verified and read already: answered here, without Bolt's routing (about a third
            # of a slash command's cost). Socket Mode commands go through _on_command.
            answer = await self._guarded_command_answer(command)
            return web.json_response(answer) if answer else web.Response(status=200)
        try:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
        except Exception as exc:
            # Bolt failed before any listener ran (its error handler covers those), reading a
            # field in a shape Slack does not send (``user`` a number, ``team`` a list...):
            # the request is malformed, and never answered with a 500.
            log.warning(
                "rejected a signed Slack request Bolt could not read: %s %s",
                type(exc).__name__,
                str(exc)[:100],
            )
            return web.json_response({"error": "request could not be read"}, status=400)
        if bolt_response.status == 404:  # a kind of request this app does not handle
            return web.Response(status=200)
        return await to_aiohttp_response(bolt_response)

    # --- Socket Mode ----------------------------------------------------------------------

    async def run_socket_mode(self, app_token: str) -> None:
        """Receive everything over a Socket Mode connection (no public address needed). Tries
        again with backoff until it connects; then Slack's client reconnects by itself."""
        handler = AsyncSocketModeHandler(self.app, app_token)
        delay = 1.0
        try:
            while True:
                try:
                    await handler.connect_async()  # type: ignore[no-untyped-call]
                except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as exc:
                    log.warning(
                        "Slack Socket Mode could not connect (%s); trying again in %.0fs",
                        type(exc).__name__,
                        delay,
                    )
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 60.0)
                    continue
                self.socket_mode_connected.set()
                log.info("Slack Socket Mode connected")
                await asyncio.Event().wait()  # until the runtime stops
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

    # --- listeners ------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        # Bolt tries listeners in this order: the most frequent requests first.
        app.action(re.compile(r".+"))(self._on_block_action)
        app.view_submission(re.compile(r".+"))(self._on_view_submission)
        app.command(re.compile(r"^/.+$"))(self._on_command)
        app.event("message")(self._on_message)
        app.event("app_mention")(self._on_mention)
        app.event("app_home_opened")(self._on_home)
        app.view_closed(re.compile(r".+"))(self._on_view_closed)
        app.event(re.compile(r".+"))(self._on_other_event)
        app.error(self._on_listener_error)

    async def _on_listener_error(self, error: Exception, body: dict[str, Any]) -> BoltResponse:
        """A listener failed: log it with a reference and tell the person, never answer 500.
        A slash command gets the apology as its answer; anything else is acknowledged and the
        apology is sent to the person's DM."""
        reference = failure_reference()
        log.error(
            "Slack %s failed, reference %s",
            _kind_of(body),
            reference,
            exc_info=(type(error), error, error.__traceback__),
        )
        if isinstance(body.get("command"), str):
            return BoltResponse(
                status=200,
                body=json.dumps(_apology_answer(reference)),
                headers={"Content-Type": "application/json;charset=utf-8"},
            )
        user_id = _user_of(body)
        if user_id:
            await self.bot.queue_apology(
                "slack", {"channel": user_id}, reference, key=f"slack:failed:{reference}"
            )
        return BoltResponse(status=200, body="")

    async def _run(
        self,
        turn: Turn,
        event_id: str | None = None,
        route: RouteReplies | None = None,
        *,
        inline_first: bool = False,
    ) -> TurnResult:
        return await self.bot.handle(
            turn,
            event_id=event_id,
            resolve_email=self._email_resolver(turn.user_id),
            route=route,
            inline_first=inline_first,
        )

    def _email_resolver(self, user_id: str) -> Callable[[], Awaitable[str | None]]:
        async def resolve() -> str | None:
            try:
                response = await self.client.users_info(user=user_id)
            except SlackApiError as exc:
                log.warning("users.info failed for an unknown Slack user: %s", slack_error(exc))
                return None
            profile = (response.get("user") or {}).get("profile") or {}
            email = profile.get("email")
            return email.lower() if isinstance(email, str) else None

        return resolve

    async def _on_command(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        answer = await self._command_answer(body)
        await (ack(**answer) if answer else ack())

    async def _guarded_command_answer(self, body: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await self._command_answer(body)
        except Exception:
            reference = failure_reference()
            log.exception("Slack slash command failed, reference %s", reference)
            return _apology_answer(reference)

    async def _command_answer(self, body: dict[str, Any]) -> dict[str, Any] | None:
        """Run a slash command; its answer is the acknowledgement (None: an empty one, when a
        modal opens instead, right after)."""
        user_id = body["user_id"]
        turn = Turn(
            platform="slack",
            user_id=user_id,
            conversation_id=body.get("channel_id", ""),
            text=body.get("text", "") or "help",
            is_direct=body.get("channel_name") == "directmessage",
        )
        trigger_id = body.get("trigger_id")
        follow_up = self._follow_ups(
            user_id, body.get("response_url"), f"slack:command:{trigger_id or uuid.uuid4().hex}"
        )

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            if trigger_id and any(r.card.is_form for r in replies):
                return replies  # a modal opens instead
            # The acknowledgement holds one message: the first replies that fit in it; the
            # rest follow as messages of their own, in the turn's unit of work.
            count = fitting_in_one([blockkit.render_message(r.card) for r in replies])
            if count < len(replies):
                log.info(
                    "slash command answered with %d of %d replies; the rest follow as messages",
                    count,
                    len(replies),
                )
                await follow_up(ctx, replies[count:])
            return replies[:count]

        # The first reply is always in the acknowledgement: someone known not to be in the
        # directory gets their one card without the database.
        result = await self._run(turn, route=route, inline_first=True)
        form = next((r for r in result.replies if r.card.is_form), None)
        if form is not None and trigger_id:
            self._call_later(
                self.client.views_open, trigger_id=trigger_id, view=self._modal(form.card)
            )
            return None
        messages = [blockkit.render_message(r.card) for r in result.replies]
        if not messages:
            return None
        blocks = [b for m in messages for b in m["blocks"]]
        text = " ".join(m["text"] for m in messages)
        return {"text": text[:MAX_ACK_TEXT], "blocks": blocks}

    def _follow_ups(self, user_id: str, response_url: object, key: str) -> RouteReplies:
        """Queue the replies a slash command's acknowledgement could not hold: the first
        ``RESPONSE_URL_USES`` to its response_url (ephemeral, where the command was typed),
        the others, or all when the response_url cannot be used, to the person's DM."""
        dm = {"channel": user_id}

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            if not response_url_is_allowed(response_url, self.settings.slack_api_url):
                log.warning(
                    "slash command follow-ups go to the DM: response_url %s",
                    _host_of(response_url) or "missing",
                )
                return await _queue_to(dm, key)(ctx, replies)
            if len(replies) > RESPONSE_URL_USES:
                log.info(
                    "slash command follow-ups beyond %d go to the DM (%d of them)",
                    RESPONSE_URL_USES,
                    len(replies) - RESPONSE_URL_USES,
                )
            # Every row keeps the DM: the sender falls back to it when the URL is refused.
            here = {**dm, "response_url": response_url, "response_url_until": _until(ctx.now)}
            queue = _queue_each(key, lambda index: here if index < RESPONSE_URL_USES else dm)
            return await queue(ctx, replies)

        return route

    async def _on_message(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or not event.get("user"):
            await ack()
            return
        subtype = event.get("subtype")
        if subtype and subtype != "file_share":
            await ack()
            return
        files = event.get("files") or []
        await self._save_then_ack(ack, "message", body, event["user"], files[0] if files else None)

    async def _on_mention(self, ack: AsyncAck, body: dict[str, Any], event: dict[str, Any]) -> None:
        if not event.get("user"):
            await ack()
            return
        await self._save_then_ack(ack, "app_mention", body, event["user"])

    async def _on_home(self, ack: AsyncAck, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home") or not event.get("user"):
            await ack()
            return
        await self._save_then_ack(ack, "app_home_opened", body, event["user"])

    async def _on_block_action(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        actions = body.get("actions") or []
        verb = _parse_value(actions[0])[0] if actions else ""
        if not verb:
            # Changing a select inside a form: nothing to do until it is submitted.
            await ack()
            return
        await self._save_then_ack(ack, "block_actions", body, body["user"]["id"])

    async def _save_then_ack(
        self,
        ack: AsyncAck,
        kind: str,
        body: dict[str, Any],
        user_id: str,
        file: dict[str, Any] | None = None,
    ) -> None:
        """Save the request, acknowledge it, and leave the rest to the inbox worker (a file
        sent with it is fetched first, outside the lane). If it cannot be saved, handle it
        now: acknowledged late is better than lost."""
        if self.inbox is not None:
            try:
                received = await self.inbox.inbox.save("slack", kind, json.dumps(body))
            except InboxUnavailable:
                log.warning("inbox unavailable: handling a Slack %s before acknowledging", kind)
            else:
                await ack()
                if file is None:
                    self.inbox.submit(received, user_id)
                else:
                    self.inbox.submit_with_file(self._read_file(file), received, user_id)
                return
        await self._handle(kind, body, None, ack)

    async def _handle_saved(self, received: Received) -> None:
        body = json.loads(received.body)
        try:
            await self._handle(received.kind, body, received.id, None, received.attachment)
        except Exception:
            reference = failure_reference()
            log.exception(
                "saved Slack %s request %s failed, reference %s",
                received.kind,
                received.id,
                reference,
            )
            user_id = _user_of(body)
            if user_id:
                await self.bot.queue_apology(
                    "slack", {"channel": user_id}, reference, key=f"slack:failed:{received.id}"
                )

    async def _handle(
        self,
        kind: str,
        body: dict[str, Any],
        saved_id: str | None,
        ack: AsyncAck | None,
        attachment: str | None = None,
    ) -> None:
        """Handle a request; ``ack`` is given when it has not been acknowledged yet, and is
        called as soon as what the person did is committed; ``attachment`` is the text of a
        file sent with a message, when it has been fetched already."""
        if kind == "block_actions":
            await self._block_action(body, saved_id, ack)
            return
        if ack is not None:
            await ack()  # events: Slack retries them, and the event id makes a retry harmless
        event = body.get("event") or {}
        if kind == "message":
            await self._message(event, body.get("event_id"), attachment)
        elif kind == "app_mention":
            await self._mention(event, body.get("event_id"))
        elif kind == "app_home_opened":
            await self._home(event)
        else:
            log.error("unknown saved Slack request kind %r", kind)

    async def _message(
        self, event: dict[str, Any], event_id: str | None, attachment: str | None
    ) -> None:
        files = event.get("files") or []
        if files and attachment is None:  # not fetched yet (a request replayed after a stop)
            attachment = await self._read_file(files[0])
        turn = Turn(
            platform="slack",
            user_id=event["user"],
            conversation_id=event["channel"],
            # A file sent with no message is an upload for the dialogs to recognise.
            text=event.get("text") or ("upload" if files else ""),
            is_direct=True,
            attachment_text=attachment,
        )
        await self._answer(turn, event_id, {"channel": event["channel"]})

    async def _mention(self, event: dict[str, Any], event_id: str | None) -> None:
        turn = Turn(
            platform="slack",
            user_id=event["user"],
            conversation_id=event["channel"],
            text=MENTION.sub("", event.get("text") or "").strip(),
            is_direct=False,
        )
        address = {
            "channel": event["channel"],
            "thread_ts": event.get("thread_ts") or event.get("ts"),
        }
        await self._answer(turn, event_id, address)

    async def _answer(self, turn: Turn, event_id: str | None, address: dict[str, Any]) -> None:
        """Handle a message event and queue the replies."""
        key = f"slack:{event_id or uuid.uuid4().hex}"
        await self._run(turn, event_id, route=_queue_to(address, key))

    async def _home(self, event: dict[str, Any]) -> None:
        turn = Turn(
            platform="slack",
            user_id=event["user"],
            conversation_id=event.get("channel", ""),
            action=Action(verb="tasks.show"),
        )
        result = await self._run(turn)
        cards = [r.card for r in result.replies]
        self._call_later(
            self.client.views_publish, user_id=event["user"], view=blockkit.render_home(cards)
        )

    async def _block_action(
        self, body: dict[str, Any], saved_id: str | None, ack: AsyncAck | None
    ) -> None:
        verb, data = _parse_value((body.get("actions") or [{}])[0])
        state = (body.get("view") or {}).get("state") or body.get("state") or {}
        inputs = blockkit.parse_state_values(state.get("values") or {})
        user_id = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id") or ""
        message = body.get("message") or {}
        source = {"channel": channel, "ts": message.get("ts")} if message.get("ts") else None
        turn = Turn(
            platform="slack",
            user_id=user_id,
            conversation_id=channel,
            action=Action(verb=verb, data=data, inputs=inputs),
            is_direct=(body.get("channel") or {}).get("name") == "directmessage",
            source_message=source,
        )
        key = f"slack:action:{body.get('trigger_id') or saved_id or uuid.uuid4().hex}"
        queue_dm = _queue_to({"channel": user_id}, key)

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            # Forms open (or update) a modal after the ack; the rest is saved with the turn.
            for index, reply in enumerate(replies):
                if reply.replace and source is not None and not reply.card.is_form:
                    await ctx.outbox.replace("slack", source, reply.card, key=f"{key}:r{index}")
            await queue_dm(
                ctx, [r for r in replies if not r.card.is_form and not (r.replace and source)]
            )
            return [r for r in replies if r.card.is_form]

        # The saved request's id is the turn's dedupe key: handled once, even if replayed.
        event_id = f"inbox:{saved_id}" if saved_id else None
        result = await self._run(turn, event_id, route=route)
        if ack is not None:
            await ack()
        view = body.get("view")
        trigger_id = body.get("trigger_id")
        for reply in result.replies:
            modal = self._modal(reply.card)
            if view is not None:
                self._call_later(self.client.views_update, view_id=view["id"], view=modal)
            elif trigger_id:
                self._call_later(self.client.views_open, trigger_id=trigger_id, view=modal)
                trigger_id = None

    def _call_later(self, method: Callable[..., Awaitable[Any]], **kwargs: Any) -> None:
        """Call the Web API without holding up the next request (a modal, the Home tab)."""

        async def call() -> None:
            try:
                await method(**kwargs)
            except SlackApiError as exc:
                log.warning("%s failed: %s", getattr(method, "__name__", "call"), slack_error(exc))
            except (aiohttp.ClientError, TimeoutError) as exc:
                log.warning("Slack call failed: %s", type(exc).__name__)

        self.background.start(call())

    async def _on_view_submission(self, ack: AsyncAck, body: dict[str, Any]) -> None:
        view = body["view"]
        verb = view.get("callback_id", "")
        try:
            data = json.loads(view.get("private_metadata") or "{}")
        except json.JSONDecodeError:
            data = {}
        inputs = blockkit.parse_state_values((view.get("state") or {}).get("values") or {})
        user_id = body["user"]["id"]
        turn = Turn(
            platform="slack",
            user_id=user_id,
            conversation_id="",
            action=Action(verb=verb, data=data if isinstance(data, dict) else {}, inputs=inputs),
        )
        queue_dm = _queue_to(
            {"channel": user_id}, f"slack:view:{view['id']}:{view.get('hash', '')}"
        )

        async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
            if any(r.errors for r in replies):
                return replies  # nothing was submitted: the modal shows the errors
            await queue_dm(ctx, [r for r in replies if not r.card.is_form])
            return [r for r in replies if r.card.is_form]

        result = await self._run(turn, route=route)
        errors = next((r for r in result.replies if r.errors), None)
        if errors is not None:
            response = blockkit.errors_response(errors.card) or {
                "response_action": "errors",
                "errors": {k: v[:150] for k, v in (errors.errors or {}).items()},
            }
            await ack(**response)
            return
        next_form = next((r for r in result.replies if r.card.is_form), None)
        if next_form is not None:
            await ack(response_action="update", view=self._modal(next_form.card))
        else:
            await ack()

    async def _on_view_closed(self, ack: AsyncAck) -> None:
        await ack()

    async def _on_other_event(self, ack: AsyncAck) -> None:
        await ack()

    async def _read_file(self, info: dict[str, Any]) -> str:
        """The text of a file shared in the DM ("" when it is too big, not text, or unreachable).

        Only Slack's own file hosts get the bot token."""
        name = str(info.get("name") or "")
        url = str(info.get("url_private_download") or info.get("url_private") or "")
        size = info.get("size")
        textual = str(info.get("mimetype") or "").startswith("text/") or name.lower().endswith(
            (".csv", ".tsv", ".txt")
        )
        if not url or not textual or (isinstance(size, int) and size > MAX_UPLOAD_BYTES):
            log.warning("ignored a shared file that is not a small text file (%s bytes)", size)
            return ""
        host = (urlsplit(url).hostname or "").lower()
        api_host = (urlsplit(self.settings.slack_api_url).hostname or "").lower()
        if not (host == "slack.com" or host.endswith(".slack.com") or host == api_host):
            log.warning("refused to fetch a shared file from %s", host)
            return ""
        headers = {"Authorization": f"Bearer {self.settings.slack_bot_token}"}
        return await download_text(self._http, url, headers=headers, what="a shared file")

    # --- modals ---------------------------------------------------------------------------

    def _modal(self, card: Card) -> dict[str, Any]:
        submit = next((b for b in card.buttons if b.submits), None)
        verb = submit.verb if submit else "form.closed"
        metadata = json.dumps(submit.data if submit else {}, separators=(",", ":"))
        return blockkit.render_modal(card, callback_id=verb, private_metadata=metadata[:3000])

    # --- directory ------------------------------------------------------------------------

    async def lookup_user_id(self, email: str) -> str | None:
        """The Slack user id for an email address (users.lookupByEmail), or None."""
        try:
            response = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if slack_error(exc) == "users_not_found":
                return None
            raise
        user = response.get("user") or {}
        return user.get("id")


MAX_ACK_TEXT = 3000
RESPONSE_URL_TIMEOUT = aiohttp.ClientTimeout(total=10)


def fitting_in_one(messages: list[dict[str, Any]]) -> int:
    """How many of the leading rendered messages fit together in one Slack message: at most
    50 blocks, every ``action_id`` distinct (each card numbers its buttons from 0, so two
    cards with the same button would collide), and the fallback texts within 3,000
    characters. At least one when there is one (a rendered message fits on its own)."""
    blocks = 0
    text = -1
    seen: set[str] = set()
    for count, message in enumerate(messages):
        ids = _action_ids(message["blocks"])
        blocks += len(message["blocks"])
        text += 1 + len(message["text"])
        if count and (blocks > blockkit.MAX_MESSAGE_BLOCKS or text > MAX_ACK_TEXT or ids & seen):
            return count
        seen |= ids
    return len(messages)


def _action_ids(blocks: list[dict[str, Any]]) -> set[str]:
    found: set[str] = set()
    for block in blocks:
        accessory = block.get("accessory")
        elements = [accessory] if isinstance(accessory, dict) else []
        elements += [e for e in block.get("elements") or [] if isinstance(e, dict)]
        found.update(str(e["action_id"]) for e in elements if "action_id" in e)
    return found


def _queue_to(address: dict[str, Any], key: str) -> RouteReplies:
    """Queue every reply to one Slack conversation, in the turn's own unit of work."""
    return _queue_each(key, lambda index: address)


def _queue_each(key: str, address_of: Callable[[int], dict[str, Any]]) -> RouteReplies:
    """Queue every reply, the n-th to ``address_of(n)``, in the turn's own unit of work."""

    async def route(ctx: Context, replies: list[Reply]) -> list[Reply]:
        for index, reply in enumerate(replies):
            await ctx.outbox.reply("slack", address_of(index), reply.card, key=f"{key}:{index}")
        return []

    return route


# Slack takes up to five messages at a command's response_url within 30 minutes; the
# acknowledgement is not one of them, but four stay clear of the limit, and a URL is not
# tried once it is 29 minutes old (the outbox may get to a row late).
RESPONSE_URL_USES = 4
RESPONSE_URL_LIFETIME = timedelta(minutes=29)


def _until(now: datetime) -> str:
    return (now + RESPONSE_URL_LIFETIME).isoformat()


def _host_of(url: object) -> str:
    """The host of a URL, for a log line (the rest of a response_url is a secret)."""
    try:
        return (urlsplit(url).hostname or "")[:100] if isinstance(url, str) else ""
    except ValueError:
        return "unreadable"


def _apology_answer(reference: str) -> dict[str, Any]:
    card = blockkit.render_message(common.error_card(reference))
    return {"text": card["text"], "blocks": card["blocks"]}


def _user_of(body: dict[str, Any]) -> str | None:
    """The Slack user a request came from, wherever its kind keeps it."""
    user = body.get("user")
    event = body.get("event")
    for found in (
        body.get("user_id"),
        user.get("id") if isinstance(user, dict) else None,
        event.get("user") if isinstance(event, dict) else None,
    ):
        if isinstance(found, str) and found:
            return found
    return None


def _kind_of(body: dict[str, Any]) -> str:
    event = body.get("event")
    for found in (
        body.get("command") and "slash command",
        event.get("type") if isinstance(event, dict) else None,
        body.get("type"),
    ):
        if isinstance(found, str) and found:
            return found
    return "request"


def slack_error(exc: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), or the HTTP status when there is none."""
    data = exc.response.data
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    return f"HTTP {exc.response.status_code}"


def _parse_value(action: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    value = action.get("value")
    if not value:
        return "", {}
    try:
        return blockkit.parse_button_value(value)
    except (ValueError, TypeError):
        return "", {}


def _outbox_key(message: dict[str, Any]) -> str | None:
    metadata = message.get("metadata")
    if not isinstance(metadata, dict) or metadata.get("event_type") != OUTBOX_EVENT_TYPE:
        return None
    payload = metadata.get("event_payload")
    key = payload.get("key") if isinstance(payload, dict) else None
    return key if isinstance(key, str) else None


class SlackSender:
    platform = "slack"

    def __init__(
        self, client: AsyncWebClient, bot: QABot, *, http: aiohttp.ClientSession, api_url: str
    ) -> None:
        self.client = client
        self.bot = bot
        self._http = http  # for response_urls, which take no token
        self._api_url = api_url
        # conversations.history is a Tier 3 method: about 50 calls a minute.
        self.history_limiter = SlidingWindowLimiter(HISTORY_RATE)

    async def resolve(self, session: AsyncSession, message: OutboxMessage) -> dict[str, Any]:
        if message.address:
            return dict(message.address)
        if message.person_id is not None:
            identity = await directory.identity_of(session, message.person_id, "slack")
            if identity is None:
                raise AddressError(f"person {message.person_id} has no Slack account linked")
            # Posting to a user id delivers to the app's direct message with them.
            return {"channel": identity.external_id}
        if message.route:
            target = route_target(self.bot.framework, message.route, "slack")
            if target is None:
                raise AddressError(f"no Slack channel is configured for {message.route}")
            if not re.fullmatch(r"[CGD][A-Z0-9]+", target):
                link = await find_channel(session, "slack", target.lstrip("#"))
                if link is None:
                    raise AddressError(f"Slack channel {target!r} is not known to the bot")
                target = link.conversation_id
            return {"channel": target}
        raise AddressError("outbox row has no recipient")

    async def post(self, address: dict[str, Any], card: Card) -> SendResult:
        if address.get("response_url"):
            return await self._follow_up(address, card)
        return await self._call(self.client.chat_postMessage, self._message(address, card))

    async def post_marked(self, address: dict[str, Any], card: Card, key: str) -> SendResult:
        """A post whose message metadata carries its outbox key (invisible to people;
        ``find_posted`` reads it back from the channel's history)."""
        if address.get("response_url"):
            # A follow-up at a response_url carries no metadata and is not in any history.
            return await self._follow_up(address, card)
        kwargs = self._message(address, card)
        kwargs["metadata"] = {"event_type": OUTBOX_EVENT_TYPE, "event_payload": {"key": key}}
        return await self._call(self.client.chat_postMessage, kwargs)

    async def find_posted(
        self, address: dict[str, Any], keys: Collection[str], since: datetime
    ) -> dict[str, dict[str, Any]]:
        """Which of ``keys`` the bot posted to ``address`` since ``since``, by the metadata
        ``post_marked`` attached: one conversations.history call per page (Tier 3), newest
        first, stopping once every key is found. Raises LookupFailed."""
        wanted = set(keys)
        channel = await self._conversation_of(str(address["channel"]))
        found: dict[str, dict[str, Any]] = {}
        cursor: str | None = None
        for _ in range(HISTORY_MAX_PAGES):
            await self.history_limiter.acquire()
            page = await self._history_page(channel, since, cursor)
            for message in page.get("messages") or []:
                key = _outbox_key(message)
                if key in wanted and key not in found:
                    found[key] = {"channel": channel, "ts": message.get("ts")}
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None or len(found) == len(wanted):
                return found
        raise LookupFailed(f"more than {HISTORY_MAX_PAGES} pages of history to read")

    async def _history_page(
        self, channel: str, since: datetime, cursor: str | None
    ) -> dict[str, Any]:
        try:
            response = await self.client.conversations_history(
                channel=channel,
                oldest=f"{since.timestamp():.6f}",
                inclusive=True,
                include_all_metadata=True,
                limit=HISTORY_PAGE,
                cursor=cursor,
            )
        except SlackApiError as exc:
            raise LookupFailed(slack_error(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LookupFailed(f"{type(exc).__name__}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _conversation_of(self, channel: str) -> str:
        """The conversation a post to ``channel`` lands in: a post to a user id goes to the
        app's direct message with them, whose id history needs."""
        if not re.fullmatch(r"[UW][A-Z0-9]+", channel):
            return channel
        try:
            response = await self.client.conversations_open(users=channel)
        except SlackApiError as exc:
            raise LookupFailed(slack_error(exc)) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LookupFailed(f"{type(exc).__name__}: {exc}") from exc
        opened = (response.data if isinstance(response.data, dict) else {}).get("channel") or {}
        if not opened.get("id"):
            raise LookupFailed("conversations.open named no conversation")
        return str(opened["id"])

    def _message(self, address: dict[str, Any], card: Card) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"channel": address["channel"], **blockkit.render_message(card)}
        if address.get("thread_ts"):
            kwargs["thread_ts"] = address["thread_ts"]
        return kwargs

    async def update(self, ref: dict[str, Any], card: Card) -> SendResult:
        message = blockkit.render_message(card)
        return await self._call(
            self.client.chat_update, {"channel": ref["channel"], "ts": ref["ts"], **message}
        )

    async def _follow_up(self, address: dict[str, Any], card: Card) -> SendResult:
        """Answer a slash command again at its response_url; when Slack will not take it
        there (too old, used up, refused), send it to the person's DM instead."""
        dm = {"channel": address["channel"]}
        why = self._unusable(address)
        if why is None:
            result, why = await self._respond(address["response_url"], card)
            if result is not None:
                return result
        log.info("slash command follow-up sent to the DM: response_url %s", why)
        return await self.post(dm, card)

    def _unusable(self, address: dict[str, Any]) -> str | None:
        """Why the row's response_url cannot be used now (None: it can)."""
        if not response_url_is_allowed(address.get("response_url"), self._api_url):
            return "refused"
        try:
            expired = self.bot.clock() >= datetime.fromisoformat(address["response_url_until"])
        except (KeyError, TypeError, ValueError):
            return "without a time limit"
        return "expired" if expired else None

    async def _respond(self, url: str, card: Card) -> tuple[SendResult | None, str]:
        """POST to a response_url. Slack answers 200 ``ok``; 404 ``expired_url`` or
        ``used_url`` and other 4xx mean the URL cannot take it (None, and why)."""
        message = blockkit.render_message(card)
        body = {**message, "response_type": "ephemeral", "replace_original": False}
        try:
            async with self._http.post(
                url, json=body, allow_redirects=False, timeout=RESPONSE_URL_TIMEOUT
            ) as response:
                status, answer = response.status, (await response.text())[:100]
                retry_after = response.headers.get("Retry-After", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult.failed(f"response_url: {type(exc).__name__}"), ""
        if status == 200:
            return SendResult.sent({"response_url": True}), ""
        if status == 429:
            wait = float(retry_after) if retry_after.isdigit() else 1.0
            return SendResult.throttled(wait, "response_url ratelimited"), ""
        if status >= 500:
            return SendResult.failed(f"response_url: HTTP {status} {answer}"), ""
        return None, f"answered HTTP {status} {answer}"

    async def _call(self, method: Any, kwargs: dict[str, Any]) -> SendResult:
        try:
            response = await method(**kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = slack_error(exc)
            if status == 429:
                retry_after = float(exc.response.headers.get("Retry-After", 1) or 1)
                return SendResult.throttled(retry_after, f"ratelimited ({error})")
            permanent = error in PERMANENT_ERRORS or (400 <= status < 500 and status != 408)
            return SendResult.failed(error, permanent=permanent)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return SendResult.failed(f"{type(exc).__name__}: {exc}")
        return SendResult.sent({"channel": response.get("channel"), "ts": response.get("ts")})
