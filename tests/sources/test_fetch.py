"""The fetchers, with the network replaced: a fake getter, a fake clock, and a local HTTP server
on 127.0.0.1 for the real urllib path."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from recommender.domain import InvalidInputError
from sources.fetch import (
    FetchError,
    Spacing,
    arxiv_query_url,
    fetch_arxiv,
    fetch_arxiv_rss,
    fetch_hf_daily,
    http_get,
)


class FakeClock:
    """time.monotonic and time.sleep in one: sleeping moves the clock."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_spacing_waits_out_the_rest_of_the_interval() -> None:
    fake = FakeClock()
    spacing = Spacing(3.0, clock=fake.clock, sleep=fake.sleep)
    spacing.wait()  # first request: no wait
    fake.now += 1.0  # one second of work
    spacing.wait()
    fake.now += 5.0  # a long pause needs no sleep
    spacing.wait()
    assert fake.slept == [pytest.approx(2.0)]


def test_spacing_queues_concurrent_callers() -> None:
    fake = FakeClock()
    spacing = Spacing(3.0, clock=fake.clock, sleep=fake.sleep)
    workers = [threading.Thread(target=spacing.wait) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=10)
    assert fake.slept == [3.0, 3.0, 3.0]


def atom_page(first: int, count: int, total: int) -> bytes:
    entries = "".join(
        f"<entry><id>http://arxiv.org/abs/2509.{n:05d}v1</id><title>Paper {n}</title></entry>"
        for n in range(first, first + count)
    )
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        f"<opensearch:totalResults>{total}</opensearch:totalResults>{entries}</feed>"
    ).encode()


def test_fetch_arxiv_pages_through_the_range_three_seconds_apart() -> None:
    fake = FakeClock()
    requested: list[dict[str, list[str]]] = []

    def get(url: str) -> bytes:
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        requested.append(params)
        start, size = int(params["start"][0]), int(params["max_results"][0])
        return atom_page(start, min(size, 5 - start), 5)

    result = fetch_arxiv(
        "cs.LG",
        date(2025, 9, 1),
        date(2025, 9, 4),
        get=get,
        spacing=Spacing(3.0, clock=fake.clock, sleep=fake.sleep),
        page_size=2,
    )
    assert [p.paper_id for p in result.papers] == [f"2509.{n:05d}" for n in range(5)]
    assert [r["start"][0] for r in requested] == ["0", "2", "4"]
    assert fake.slept == [3.0, 3.0]
    query = requested[0]["search_query"][0]
    assert query == "cat:cs.LG AND submittedDate:[202509010000 TO 202509042359]"
    assert requested[0]["sortBy"] == ["submittedDate"]


def test_fetch_arxiv_stops_at_max_results() -> None:
    fake = FakeClock()
    calls: list[str] = []

    def get(url: str) -> bytes:
        calls.append(url)
        params = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        start, size = int(params["start"][0]), int(params["max_results"][0])
        return atom_page(start, size, 10_000)

    spacing = Spacing(3.0, clock=fake.clock, sleep=fake.sleep)
    result = fetch_arxiv(
        "cs.CL",
        date(2025, 9, 1),
        date(2025, 9, 1),
        get=get,
        spacing=spacing,
        page_size=3,
        max_results=7,
    )
    assert len(result.papers) == 7 and len(calls) == 3


@pytest.mark.parametrize("category", ["cs.LG OR all:x", "", "cs.LG)", "../etc"])
def test_hostile_category_is_refused(category: str) -> None:
    with pytest.raises(InvalidInputError):
        arxiv_query_url(category, date(2025, 1, 1), date(2025, 1, 2), 0, 10, "http://x")


def test_reversed_range_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        fetch_arxiv("cs.LG", date(2025, 9, 2), date(2025, 9, 1), get=lambda url: b"")


def test_fetch_hf_daily_asks_for_the_date(fixture_bytes) -> None:
    urls: list[str] = []

    def get(url: str) -> bytes:
        urls.append(url)
        return fixture_bytes("hf_daily_papers.json")

    result = fetch_hf_daily(date(2025, 9, 5), get=get, base_url="http://127.0.0.1:1/api/daily")
    assert urls == ["http://127.0.0.1:1/api/daily?date=2025-09-05"]
    assert len(result.papers) == 4


def test_fetch_arxiv_rss_keeps_the_date_range(fixture_bytes) -> None:
    fake = FakeClock()
    spacing = Spacing(3.0, clock=fake.clock, sleep=fake.sleep)
    urls: list[str] = []

    def get(url: str) -> bytes:
        urls.append(url)
        return fixture_bytes("arxiv_rss.xml")

    inside = fetch_arxiv_rss("cs.IR", since=date(2025, 9, 5), get=get, spacing=spacing)
    outside = fetch_arxiv_rss("cs.IR", since=date(2025, 9, 6), get=get, spacing=spacing)
    assert urls[0] == "https://rss.arxiv.org/rss/cs.IR"
    assert len(inside.papers) == 2
    assert outside.papers == [] and outside.skipped == 3


class Handler(BaseHTTPRequestHandler):
    seen_agents: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        Handler.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path.startswith("/fail"):
            self.send_error(503, "Busy")
            return
        body = b"[]"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_get_names_itself(server: str) -> None:
    assert http_get(server + "/ok", timeout=5) == b"[]"
    assert Handler.seen_agents[-1].startswith("paperbot/")


def test_http_errors_become_fetch_errors(server: str) -> None:
    with pytest.raises(FetchError, match="503"):
        http_get(server + "/fail", timeout=5)


def test_unreachable_host_is_a_fetch_error() -> None:
    with pytest.raises(FetchError):
        http_get("http://127.0.0.1:9/nothing-listens-here", timeout=5)
