"""Cards people can act on: links to the paper, authors (first three + et al.), date, the
one-line summary, a rejoined abstract; and every platform within its limits for the longest
fields the parsers let through."""

from __future__ import annotations

import json
from datetime import date

import discord

from bots.console.render import render_card
from bots.discord.render import (
    DESCRIPTION_LIMIT,
    EMBED_TOTAL,
    FIELD_LIMIT,
    FOOTER_LIMIT,
    TITLE_LIMIT,
    card_embed,
    reply_messages,
)
from bots.slack.blocks import card_blocks, reply_payload
from bots.slack.limits import MAX_TEXT
from engine.cards import paper_card
from engine.chat import Reply
from recommender.domain import Paper
from sources.records import MAX_ABSTRACT_CHARS, MAX_ITEM_CHARS, MAX_TITLE_CHARS

HF = Paper(
    "2509.04664",
    "Why Language Models Hallucinate",
    abstract="Language models sometimes state falsehoods\nwith confidence. We argue that training",
    authors=("Adam Kalai", "Ofir Nachum", "Santosh Vempala", "Edwin Zhang"),
    published=date(2025, 9, 4),
    urls=("https://huggingface.co/papers/2509.04664",),
    source="hf,arxiv",
    arxiv_id="2509.04664",
    tldr="Hallucinations come from training that rewards guessing.",
)
LONGEST = Paper(
    "t:" + "f" * 16,
    "T" * MAX_TITLE_CHARS,
    abstract="word " * (MAX_ABSTRACT_CHARS // 5),
    authors=tuple(f"{i}" + "a" * (MAX_ITEM_CHARS - 4) for i in range(500)),
    organization="O" * MAX_ITEM_CHARS,
    published=date(2025, 9, 4),
    urls=("https://example.org/" + "u" * (MAX_ITEM_CHARS - 20),),
    tldr="s" * MAX_ITEM_CHARS,
)


def test_a_card_links_abstract_pdf_and_hf_page_and_shows_three_authors_date_tldr() -> None:
    card = paper_card(HF)
    assert card.url == "https://arxiv.org/abs/2509.04664"
    assert card.links == (
        ("arXiv", "https://arxiv.org/abs/2509.04664"),
        ("PDF", "https://arxiv.org/pdf/2509.04664"),
        ("Hugging Face", "https://huggingface.co/papers/2509.04664"),
    )
    assert card.author_line == "Adam Kalai, Ofir Nachum, Santosh Vempala et al."
    assert card.published == date(2025, 9, 4) and card.tldr == HF.tldr
    assert card.summary.startswith("Language models sometimes state falsehoods with confidence.")


def test_without_an_arxiv_id_the_card_links_the_first_url() -> None:
    card = paper_card(Paper("t:1", "T", urls=("https://openreview.net/forum?id=x", "https://b")))
    assert (card.url, card.links) == (
        "https://openreview.net/forum?id=x",
        (("Link", "https://openreview.net/forum?id=x"),),
    )
    assert paper_card(Paper("t:2", "T", authors=("A", "B", "C"))).author_line == "A, B, C"


def test_console_card_shows_links_authors_date_and_tldr() -> None:
    text = render_card(paper_card(HF), 1)
    for expected in (
        "2509.04664 · 2025-09-04",
        "PDF https://arxiv.org/pdf/2509.04664",
        "Hugging Face https://huggingface.co/papers/2509.04664",
        "Santosh Vempala et al.",
        "TL;DR Hallucinations come from training",
    ):
        assert expected in text


def test_slack_card_has_the_links_and_stays_within_block_limits() -> None:
    (section, *_) = card_blocks(paper_card(HF))
    text = section["text"]["text"]
    assert text.startswith("*<https://arxiv.org/abs/2509.04664|Why Language Models Hallucinate>*")
    assert "<https://arxiv.org/pdf/2509.04664|PDF>" in text
    assert "<https://huggingface.co/papers/2509.04664|Hugging Face>" in text
    assert "Santosh Vempala et al. · 2025-09-04" in text
    assert "_Hallucinations come from training that rewards guessing._" in text
    longest = reply_payload(Reply(text="x", cards=(paper_card(LONGEST, "r" * 5000),) * 20))
    for block in longest["blocks"]:
        for piece in [block.get("text") or {}, *block.get("elements", [])]:
            assert len(piece.get("text", "") if isinstance(piece, dict) else "") <= MAX_TEXT
    first = next(b for b in longest["blocks"] if b.get("block_id", "").startswith("paper:"))
    assert first["text"]["text"].startswith("*<https://example.org/")  # the link survived


def test_discord_embed_has_the_links_and_stays_within_embed_limits() -> None:
    embed = card_embed(paper_card(HF))
    fields = {f.name: f.value for f in embed.fields}
    assert embed.url == "https://arxiv.org/abs/2509.04664"
    assert fields["Read"] == (
        "[arXiv](https://arxiv.org/abs/2509.04664) · [PDF](https://arxiv.org/pdf/2509.04664)"
        " · [Hugging Face](https://huggingface.co/papers/2509.04664)"
    )
    assert fields["Authors"] == "Adam Kalai, Ofir Nachum, Santosh Vempala et al."
    assert (embed.description or "").startswith("*Hallucinations come from training")
    assert "2025-09-04" in (embed.footer.text or "")
    for message in reply_messages(Reply(text="x", cards=(paper_card(LONGEST, "r" * 5000),) * 7)):
        assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL
        for e in message.embeds:
            assert len(e.title or "") <= TITLE_LIMIT
            assert len(e.description or "") <= DESCRIPTION_LIMIT
            assert len(e.footer.text or "") <= FOOTER_LIMIT
            assert all(len(f.value or "") <= FIELD_LIMIT for f in e.fields)
            assert e.url is not None
        json.dumps([e.to_dict() for e in message.embeds])
    assert isinstance(embed, discord.Embed)
