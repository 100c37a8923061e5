"""The bare Slack Bolt app qabot's Slack path is measured against.

A slack_bolt ``AsyncApp`` on aiohttp with the same signing secret and bot token, whose
listeners only acknowledge: a block action (any ``action_id``) and a ``/qa`` slash command.
Its Web API client points at the bench's fake Slack API (Bolt calls ``auth.test`` once).

    python -m bench.baselines.bare_bolt --port 3100
"""

from __future__ import annotations

import argparse
import os
import re

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build_app() -> AsyncApp:
    token = os.environ["SLACK_BOT_TOKEN"]
    client = AsyncWebClient(token=token, base_url=os.environ["SLACK_API_URL"])
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.action(re.compile(r".+"))
    async def on_action(ack: AsyncAck) -> None:
        await ack()

    @app.command("/qa")
    async def on_command(ack: AsyncAck) -> None:
        await ack("ok")

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    web_app = build_app().web_app(path="/slack/events")
    web.run_app(web_app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
