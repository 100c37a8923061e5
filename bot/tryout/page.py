"""The try-out page as HTML: plain markup, our own few lines of style and script, nothing
fetched from anywhere else."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from bot.cards.html import render_html
from bot.cards.model import Card
from bot.domain.framework import CalendarRules
from bot.domain.holding import held_note
from bot.tryout.clock import STEPS
from bot.tryout.store import Sent

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d1d1f}
header{background:#1f3b57;color:#fff;padding:.6em 1em;display:flex;flex-wrap:wrap;gap:1em;
align-items:center}
header h1{font-size:1.2em;margin:0}
header form{display:inline}
main{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1em;padding:1em}
section{background:#fff;border-radius:6px;padding:.8em;box-shadow:0 1px 2px #0002}
.card{border:1px solid #ccd;border-radius:6px;padding:.6em;margin:.5em 0;background:#fbfcff}
.card h3{margin:.1em 0 .4em;font-size:1em}
.you{text-align:right;margin:.6em 0}.you span{background:#dbe9ff;padding:.3em .6em;
border-radius:10px;white-space:pre-wrap;display:inline-block;text-align:left}
.facts th{text-align:left;padding-right:1em;vertical-align:top}
.buttons{margin-top:.5em;display:flex;flex-wrap:wrap;gap:.4em}
button.primary{background:#1f6feb;color:#fff;border:0;padding:.35em .8em;border-radius:4px}
button.danger{background:#b42318;color:#fff;border:0;padding:.35em .8em;border-radius:4px}
.field{margin:.4em 0}.field input[type=text],.field textarea,.field select{width:95%}
.error,.attention{color:#b42318}.warning{color:#8a5a00}.good{color:#1a7f37}
.subtle,.meta{color:#666;font-size:.9em}.held{color:#8a5a00;font-size:.9em}
.notice{background:#fff4ce;padding:.5em;border-radius:4px}
textarea.say{width:98%;font-family:monospace}
ol.try li{margin:.3em 0}
"""

SCRIPT = """
document.querySelectorAll('select[data-switch]').forEach(function (s) {
  s.addEventListener('change', function () { s.form.submit(); });
});
var chat = document.getElementById('conversation');
if (chat) { chat.scrollTop = chat.scrollHeight; }
"""

SAMPLE_CSV = "case_ref,team,activity,assignee_email,moderator_email,cycle"


@dataclass(frozen=True)
class Someone:
    email: str
    name: str
    roles: str
    team: str


@dataclass(frozen=True)
class PageView:
    bot_name: str
    authority: str
    now: datetime
    tz: ZoneInfo
    calendar: CalendarRules
    people: list[Someone]
    me: Someone
    conversation: list[str | Card]
    messages: list[Sent]
    channel_posts: list[Sent]
    suggestions: list[str]
    sample_csv: str
    notice: str = ""


def render_page(view: PageView) -> str:
    hidden = {"as": view.me.email}
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Try {escape(view.bot_name)}</title><style>{STYLE}</style></head><body>"
        f"{_header(view)}"
        + (f'<p class="notice" role="status">{escape(view.notice)}</p>' if view.notice else "")
        + "<main><div>"
        f"{_conversation(view, hidden)}{_suggestions(view)}</div><div>"
        f"{_messages(view, hidden)}</div></main>"
        f"<script>{SCRIPT}</script></body></html>"
    )


def _header(view: PageView) -> str:
    options = "".join(
        f'<option value="{escape(p.email)}"{" selected" if p == view.me else ""}>'
        f"{escape(p.name)} ({escape(p.roles)}, {escape(p.team)})</option>"
        for p in view.people
    )
    steps = "".join(
        f'<button type="submit" name="step" value="{key}">{escape(label)}</button> '
        for key, label in STEPS.items()
    )
    local = view.now.astimezone(view.tz)
    return (
        f"<header><h1>Try {escape(view.bot_name)} ({escape(view.authority)})</h1>"
        '<form method="get" action="/try" id="switch"><label>You are '
        f'<select name="as" data-switch>{options}</select></label>'
        "<noscript><button>Switch</button></noscript></form>"
        f'<form method="post" action="/try/clock"><input type="hidden" name="as" '
        f'value="{escape(view.me.email)}"><span id="demo-time">Demo time '
        f"{local:%a %d %b %Y %H:%M}</span> {steps}</form></header>"
    )


def _conversation(view: PageView, hidden: dict[str, str]) -> str:
    items = []
    for item in view.conversation:
        if isinstance(item, Card):
            items.append(render_html(item, action="/try/press", hidden=hidden))
        else:
            items.append(f'<div class="you"><span>{escape(item)}</span></div>')
    if not items:
        items.append('<p class="subtle">Say <b>help</b> to see what you can do.</p>')
    return (
        f"<section><h2>Chat as {escape(view.me.name)}</h2>"
        f'<div id="conversation" style="max-height:60vh;overflow:auto">{"".join(items)}</div>'
        '<form method="post" action="/try/say" enctype="multipart/form-data" id="say">'
        f'<input type="hidden" name="as" value="{escape(view.me.email)}">'
        '<textarea class="say" name="text" rows="3" placeholder="help, my tasks, nominate, '
        'allocate (then paste the CSV on the next lines)…"></textarea><br>'
        '<label>or attach a CSV <input type="file" name="file" accept=".csv,text/csv"></label> '
        '<button type="submit" class="primary">Send</button></form></section>'
    )


def _suggestions(view: PageView) -> str:
    tips = "".join(f"<li>{tip}</li>" for tip in view.suggestions)
    return (
        f'<section><h2>Three things to try</h2><ol class="try">{tips}</ol>'
        "<details><summary>A CSV to paste after <code>allocate</code></summary>"
        f"<pre>{escape(view.sample_csv)}</pre></details></section>"
    )


def _messages(view: PageView, hidden: dict[str, str]) -> str:
    mine = "".join(_sent(view, sent, hidden) for sent in view.messages) or (
        '<p class="subtle">Nothing yet.</p>'
    )
    posts = "".join(_sent(view, sent, hidden) for sent in view.channel_posts) or (
        '<p class="subtle">Nothing yet.</p>'
    )
    return (
        f'<section id="messages"><h2>Messages to {escape(view.me.name)}</h2>'
        '<p class="subtle">Reminders, cards and summaries the bot has sent this person, newest '
        f"first, and those it is holding.</p>{mine}</section>"
        '<section id="channels"><h2>Channel posts</h2>'
        '<p class="subtle">What the bot posts in the CSW and QA team channels.</p>'
        f"{posts}</section>"
    )


def _sent(view: PageView, sent: Sent, hidden: dict[str, str]) -> str:
    card = Card.model_validate(sent.payload)
    where = f" in {escape(sent.route)}" if sent.route else ""
    if sent.due > view.now:
        status = f'<div class="held">{escape(held_note(view.calendar, sent.due, view.tz))}</div>'
    else:
        status = (
            f'<div class="meta">Sent{where} {sent.due.astimezone(view.tz):%a %d %b %H:%M}</div>'
        )
    return (
        f'<div class="sent" data-kind="{escape(sent.kind)}">{status}'
        + render_html(card, action="/try/press", hidden=hidden)
        + "</div>"
    )
