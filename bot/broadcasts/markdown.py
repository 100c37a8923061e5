"""A newsletter or briefing from a Markdown file: the first ``#`` heading is the title, each
``##`` (or deeper) heading starts a section, paragraphs and lists are its text, links are
kept as "text (url)" and listed under the section. Parsed with markdown-it-py."""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.broadcasts.content import Content, ContentSection, Kind, Link


class MarkdownProblem(ValueError):
    """The file cannot make a broadcast (no title, nothing in it)."""


def parse(text: str, kind: Kind = "newsletter", fallback_title: str = "") -> Content:
    tokens = MarkdownIt("commonmark").parse(text)
    title = ""
    sections: list[dict[str, object]] = []
    intro: list[str] = []
    heading_level = ""
    list_depth = 0
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading_level = token.tag
        elif token.type == "heading_close":
            heading_level = ""
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline":
            words, links = _inline(token)
            if heading_level == "h1" and not title:
                title = words
            elif heading_level:
                sections.append({"heading": words, "body": [], "links": []})
            else:
                line = ("• " if list_depth else "") + words
                target = sections[-1] if sections else None
                if target is None:
                    intro.append(line)
                else:
                    body = target["body"]
                    assert isinstance(body, list)
                    body.append(line)
                    found = target["links"]
                    assert isinstance(found, list)
                    found += links
        del index
    title = title or fallback_title
    if not title:
        raise MarkdownProblem("the file has no title: start it with a line like “# Title”")
    built = [
        ContentSection(
            heading=str(s["heading"])[:200] or "—",
            body=_join(s["body"]),
            links=list(s["links"]),  # type: ignore[call-overload]
        )
        for s in sections
    ]
    if not built and not intro:
        raise MarkdownProblem("the file has nothing under its title")
    return Content(title=title[:200], kind=kind, sections=built, editor_note=_join(intro))


def _join(lines: object) -> str:
    assert isinstance(lines, list)
    out: list[str] = []
    for line in lines:
        if out and line.startswith("• ") and out[-1].startswith("• "):
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)


def _inline(token: Token) -> tuple[str, list[Link]]:
    words: list[str] = []
    links: list[Link] = []
    href: str | None = None
    label: list[str] = []
    for child in token.children or []:
        if child.type == "link_open":
            href, label = str(child.attrs.get("href", "")), []
        elif child.type == "link_close" and href is not None:
            text = "".join(label) or href
            words.append(f"{text} ({href})" if text != href else href)
            if href.startswith(("http://", "https://")):
                links.append(Link(title=text[:200], url=href[:1000]))
            href = None
        elif child.type in ("text", "code_inline"):
            (label if href is not None else words).append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            (label if href is not None else words).append(
                " " if child.type == "softbreak" else "\n"
            )
    return "".join(words).strip(), links
