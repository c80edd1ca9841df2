"""A handful of papers on distinct topics, enough for the content ranker to tell them apart."""

from __future__ import annotations

from datetime import datetime

from paperbot.app import build_app
from paperbot.config import Config
from paperbot.wiring import Wiring
from recommender.domain import Paper

TOPICS = [
    ("Retrieval-augmented generation with long contexts", "retrieval generation documents"),
    ("Diffusion models for video synthesis", "diffusion video frames denoising"),
    ("Reinforcement learning from human feedback at scale", "rlhf reward model preference"),
    ("Sparse mixture of experts for language models", "experts routing sparse tokens"),
    ("Graph neural networks for molecules", "graph molecules message passing"),
    ("Efficient attention kernels on GPUs", "attention kernels memory bandwidth"),
    ("Speculative decoding for faster inference", "draft model verification decoding"),
]


HTTP_CONFIG = """
[database]
path = "paperbot.db"
[picks]
k = {k}
[schedule]
weekdays = "daily"
[slack]
mode = "http"
http_host = "127.0.0.1"
http_port = 0
api_base_url = "{api}"
rate_limit_retries = 2
drain_seconds = 3600
"""  # `paperbot serve` in HTTP mode on a free local port, against the fake Web API at {api}


def corpus_wiring(config: Config, now: datetime) -> Wiring:
    """The real wiring for `config` with its clock stopped at `now`, and TOPICS stored as papers
    published that day (ids 2511.00001, 2511.00002, ...)."""
    wiring = build_app(config, clock=lambda: now).wiring
    papers = [
        Paper(paper_id=f"2511.0000{i}", title=t, abstract=a, published=now.date())
        for i, (t, a) in enumerate(TOPICS, start=1)
    ]
    wiring.repos.papers.upsert(papers, now)
    return wiring
