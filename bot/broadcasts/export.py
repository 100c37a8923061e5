"""A broadcast's content as Markdown and as a standalone HTML page (for email or the
intranet): the same model the cards are made from, charts as pictures and as text."""

from __future__ import annotations

import base64
from collections.abc import Callable
from html import escape

from bot.broadcasts.content import Chart, Content

# A chart's PNG (bot.charts.render_png), or None when pictures cannot be drawn here.
Png = Callable[[Chart], bytes | None]


def to_markdown(content: Content) -> str:
    lines = [f"# {content.title}", ""]
    if content.period:
        lines += [f"_{content.period}_", ""]
    if content.editor_note.strip():
        lines += [f"> {line}" if line else ">" for line in content.editor_note.splitlines()]
        lines.append("")
    for section in content.sections:
        lines += [f"## {section.heading}", ""]
        if section.body.strip():
            lines += [section.body.strip(), ""]
        if section.figures:
            lines += ["| Figure | Value |", "| --- | --- |"]
            lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in section.figures]
            lines.append("")
        for chart in section.charts:
            lines += [f"**{chart.title}**", ""]
            lines += [f"- {line}" for line in chart.lines()] or ["- no data"]
            lines.append("")
        lines += [f"- {h}" for h in section.highlights]
        lines += [f"- [{link.title}]({link.url})" for link in section.links]
        if section.highlights or section.links:
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def no_png(chart: Chart) -> bytes | None:
    return None


def to_html(content: Content, png: Png = no_png) -> str:
    """One page with its own styles and pictures inside it (data URIs): nothing to fetch."""
    body = [f"<h1>{escape(content.title)}</h1>"]
    if content.period:
        body.append(f'<p class="period">{escape(content.period)}</p>')
    if content.editor_note.strip():
        body.append(f"<blockquote>{_paras(content.editor_note)}</blockquote>")
    for section in content.sections:
        body.append(f"<section><h2>{escape(section.heading)}</h2>")
        if section.body.strip():
            body.append(_paras(section.body))
        if section.figures:
            rows = "".join(
                f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>"
                for label, value in section.figures
            )
            body.append(f"<table>{rows}</table>")
        for chart in section.charts:
            body.append(_chart(chart, png(chart)))
        items = [escape(h) for h in section.highlights] + [
            f'<a href="{escape(link.url)}">{escape(link.title)}</a>' for link in section.links
        ]
        if items:
            body.append("<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
        body.append("</section>")
    return PAGE.format(title=escape(content.title), body="\n".join(body))


def _paras(text: str) -> str:
    return "".join(
        f"<p>{escape(p.strip()).replace(chr(10), '<br>')}</p>"
        for p in text.split("\n\n")
        if p.strip()
    )


def _chart(chart: Chart, picture: bytes | None) -> str:
    listed = "".join(f"<li>{escape(line)}</li>" for line in chart.lines())
    img = ""
    if picture:
        data = base64.b64encode(picture).decode("ascii")
        img = f'<img src="data:image/png;base64,{data}" alt="{escape(chart.as_text())}">'
    return f"<figure>{img}<figcaption>{escape(chart.title)}</figcaption><ul>{listed}</ul></figure>"


PAGE = """<!doctype html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: Arial, Helvetica, sans-serif; max-width: 46em; margin: 2em auto;
  padding: 0 1em; line-height: 1.5; color: #1b1b1b; }}
h1 {{ border-bottom: 3px solid #005ea5; padding-bottom: .3em; }}
.period {{ color: #505a5f; }}
blockquote {{ border-left: 4px solid #b1b4b6; margin: 1em 0; padding-left: 1em; }}
table {{ border-collapse: collapse; }} th, td {{ text-align: left; padding: .2em .8em .2em 0; }}
img {{ max-width: 100%; }}
</style>
</head>
<body>
{body}
</body>
</html>
"""
