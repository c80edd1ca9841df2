"""Pure renderer of the App Home tab (views.publish): settings, interests, last picks with votes.

Kept apart from blocks.py because a Home view has its own limit (100 blocks) and its own shape
(`{"type": "home", "blocks": [...]}`), and because it is the one screen a user opens to see
"what does paperbot think I like".
"""

from __future__ import annotations

from typing import Any

from bots.slack.blocks import card_blocks, fit_groups, mrkdwn_text
from bots.slack.limits import MAX_VIEW_BLOCKS, Block, context, escape, header, section
from engine.chat import HomeView

HINT = "Change things with `/papers settings`, `/papers interests add <topic>` or `/papers help`."


def _settings_text(settings: dict[str, str]) -> str:
    if not settings:
        return "_No settings yet: you get the defaults._"
    return "\n".join(f"*{escape(k)}*: {escape(v)}" for k, v in settings.items())


def _interests_text(interests: tuple[str, ...]) -> str:
    if not interests:
        return "_None yet. Add some with_ `/papers interests add <topic>`."
    return " · ".join(f"`{escape(i)}`" for i in interests)


def home_view(view: HomeView) -> dict[str, Any]:
    """The whole Home tab. Papers come last and are dropped whole (never half a card) when the
    tab would exceed 100 blocks."""
    head: list[Block] = [header("paperbot")]
    if view.notice:
        head.append(section(f"⚠️ {mrkdwn_text(view.notice)}"))
    head += [
        section(f"*Your settings*\n{_settings_text(view.settings)}"),
        section(f"*Your interests*\n{_interests_text(view.interests)}"),
        context([HINT]),
        {"type": "divider"},
        section("*Your latest picks*" if view.recent else "_No picks delivered yet._"),
    ]
    groups = [card_blocks(card) for card in view.recent]
    return {"type": "home", "blocks": fit_groups(head, groups, MAX_VIEW_BLOCKS)}
