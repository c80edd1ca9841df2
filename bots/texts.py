"""What the bot says in its own words: help, the first-contact welcome, notices.

Kept apart from the command grammar so wording can change without touching the rules, and so
every platform shows the same sentences (neutral markup: **bold** and `code`, see messages.py).
"""

from __future__ import annotations

from engine.chat import Reply

HELP = """\
**paperbot** picks a few new research papers for you each day.
`/papers picks` — your picks now
`/papers search <words>` — find papers: "a phrase", `-word` (leave out), `author:name`,
  `since:2025-01-01`, `until:2025-06` (published date; alone they list new papers), `sort:date`
`/papers similar <paper>` · `/papers why <paper>` — a paper is its id, e.g. 2509.04664
`/papers interests add|remove <text>` · `/papers interests list`
`/papers like <arXiv ids, URLs or DOIs>` — papers you already like become 👍
`/papers subscribe [HH:MM] [Area/City] [weekdays|daily]` · `/papers unsubscribe`
`/papers pause [days]` · `/papers resume` · `/papers k <n>` (picks a day) · `/papers settings`
`/papers export` (all your data) · `/papers forget-me` (delete it all)
React 👍 / 👎 on a pick to teach me what you like."""

INTRO = (
    "👋 Welcome to paperbot! I pick a few new research papers (arXiv, Hugging Face Daily "
    "Papers) for you each day and learn from your 👍 / 👎; you can also search any time."
)
WELCOME = (
    f"{INTRO} Tell me a few things you work on, one at a time, e.g. "
    "`/papers interests add retrieval-augmented generation`, or bring papers you already like: "
    "`/papers like 2509.04664 10.1145/3292500.3330701`. Or try `/papers picks` right away "
    "for what is trending."
)
WELCOME_FIRST_INTEREST = (
    f"{INTRO} Noted your first interest. Add a couple more the same way "
    "(`/papers interests add <topic>`) so I can tell what you like, then try `/papers picks`."
)
OFFER = (
    "Nothing is sent to you until you ask. Want daily picks? `/papers {offer}` "
    "(or choose your own time and Area/City timezone, e.g. `/papers subscribe 08:30 Europe/Berlin"
    " daily`)."
)
DMS_CLOSED = (
    "⚠️ I could not send you your daily picks ({reason}). Please allow direct messages from "
    "paperbot; I will try again at your next send time."
)
NOT_ADMIN = "Only admins can run `/papers admin ...`."


def offer_text(offer: str) -> str:
    """The subscribe offer after a first contact; `offer` is the command it proposes."""
    return OFFER.format(offer=offer)


def welcome_for(name: str, rest: str, reply: Reply) -> str:
    """The first-contact greeting, fitted to the first command: someone whose first words add
    an interest is thanked for it and asked for a couple more, not asked for what they gave."""
    added = name == "interests" and rest.partition(" ")[0].lower() == "add"
    return WELCOME_FIRST_INTEREST if added and not reply.is_error else WELCOME
