"""Slack's hard limits, in one place, and the helpers that keep every payload inside them.

Slack rejects a whole message (`invalid_blocks`) when one field is a character too long, so the
renderers never hand it anything unchecked: text is cut with an ellipsis, block lists are capped
with a visible "and N more" line instead of silently losing the tail.
"""

from __future__ import annotations

from typing import Any

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_TEXT = 3000  # section text, context element text, mrkdwn objects
MAX_HEADER = 150  # header block plain_text
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 255
MAX_BLOCK_ID = 255
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 3000  # the top-level `text` notification fallback; kept short on purpose

Block = dict[str, Any]

_ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """Cut `text` to at most `limit` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + _ELLIPSIS


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": truncate(text, MAX_TEXT)}


def plain(text: str, limit: int = MAX_TEXT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit), "emoji": True}


def section(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id is not None and len(block_id) <= MAX_BLOCK_ID:
        block["block_id"] = block_id
    return block


def context(texts: list[str], block_id: str | None = None) -> Block:
    elements = [mrkdwn(t) for t in texts if t][:MAX_CONTEXT_ELEMENTS]
    block: Block = {"type": "context", "elements": elements}
    if block_id is not None and len(block_id) <= MAX_BLOCK_ID:
        block["block_id"] = block_id
    return block


def header(text: str) -> Block:
    return {"type": "header", "text": plain(text, MAX_HEADER)}


def sections_for_long_text(text: str, limit: int = MAX_TEXT) -> list[Block]:
    """Long replies (help, stats) become several sections, split on line breaks where possible,
    because one section holds at most 3000 characters."""
    blocks: list[Block] = []
    rest = text
    while rest:
        if len(rest) <= limit:
            chunk, rest = rest, ""
        else:
            cut = rest.rfind("\n", 0, limit)
            cut = cut if cut > 0 else limit
            chunk, rest = rest[:cut], rest[cut:].lstrip("\n")
        if chunk.strip():
            blocks.append(section(chunk))
    return blocks


def cap_blocks(blocks: list[Block], limit: int = MAX_MESSAGE_BLOCKS) -> list[Block]:
    """Keep at most `limit` blocks; when something is dropped the last block says how much."""
    if len(blocks) <= limit:
        return list(blocks)
    kept = blocks[: limit - 1]
    dropped = len(blocks) - len(kept)
    return [*kept, context([f"_…and {dropped} more blocks not shown (Slack's limit)._"])]
