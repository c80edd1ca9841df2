"""Fetching from the network: Hugging Face Daily Papers by date, arXiv by category and date range.

Kept apart from the parsers so that everything that can be tested without a network is. Every
request names itself with a clear User-Agent and has a timeout; arXiv asks API clients for at most
one request every three seconds, which `Spacing` enforces process-wide (its clock and sleep can
be injected, so the rule itself is testable without waiting). Network and HTTP failures become
`FetchError`, which the CLI reports as one line with exit code 2.
"""

from __future__ import annotations

import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from datetime import date
from importlib import metadata

from recommender.domain import InvalidInputError, PaperbotError
from sources.arxiv import ATOM, parse_arxiv
from sources.hf import parse_hf
from sources.records import ParseResult
from sources.xmltree import parse_xml

HF_URL = "https://huggingface.co/api/daily_papers"
ARXIV_API_URL = "https://export.arxiv.org/api/query"
ARXIV_RSS_URL = "https://rss.arxiv.org/rss/"
ARXIV_SPACING_SECONDS = 3.0
TIMEOUT_SECONDS = 30.0
MAX_RESPONSE_BYTES = 50_000_000
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_CATEGORY = re.compile(r"[a-z][a-z\-]*(\.[A-Za-z][A-Za-z\-]*)?")

Getter = Callable[[str], bytes]


class FetchError(PaperbotError):
    """A source could not be reached or answered with an HTTP error."""


def user_agent() -> str:
    try:
        version = metadata.version("paperbot")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"paperbot/{version} (self-hosted research-paper recommender; python-urllib)"


def http_get(url: str, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """GET `url` and return the body; FetchError on any network or HTTP failure."""
    request = urllib.request.Request(url, headers={"User-Agent": user_agent()})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise FetchError(f"{url}: {reason}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise FetchError(f"{url}: response larger than {MAX_RESPONSE_BYTES} bytes")
    return body


class Spacing:
    """At most one request per `interval` seconds, however many callers share it."""

    def __init__(
        self,
        interval: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Sleep until `interval` has passed since the previous request, then claim the slot.

        The lock is held while sleeping on purpose: the scheduler's ingest job and an admin's
        `ingest` command may run at once in one process, and they must queue, not both go."""
        with self._lock:
            if self.last is not None:
                remaining = self.interval - (self.clock() - self.last)
                if remaining > 0:
                    self.sleep(remaining)
            self.last = self.clock()


ARXIV_SPACING = Spacing(ARXIV_SPACING_SECONDS)


def fetch_hf_daily(day: date, get: Getter = http_get, base_url: str = HF_URL) -> ParseResult:
    """The Hugging Face Daily Papers list of `day`."""
    query = urllib.parse.urlencode({"date": day.isoformat()})
    return parse_hf(get(f"{base_url}?{query}"))


def check_category(category: str) -> str:
    """`cs.LG`, `stat.ML`, `hep-th`; anything else would be pasted into a query, so refuse it."""
    if not _CATEGORY.fullmatch(category):
        raise InvalidInputError(f"not an arXiv category: {category!r} (expected e.g. cs.LG)")
    return category


def arxiv_query_url(
    category: str, since: date, until: date, start: int, page_size: int, base_url: str
) -> str:
    """The API query for one page of `category` submitted between `since` and `until`."""
    window = f"[{since:%Y%m%d}0000 TO {until:%Y%m%d}2359]"
    params = {
        "search_query": f"cat:{check_category(category)} AND submittedDate:{window}",
        "sortBy": "submittedDate",
        "sortOrder": "descending",
        "start": str(start),
        "max_results": str(page_size),
    }
    return f"{base_url}?{urllib.parse.urlencode(params, quote_via=urllib.parse.quote)}"


def _page_counts(data: bytes) -> tuple[int, int]:
    """(entries on this page, total results the API says match)."""
    root = parse_xml(data).root
    total_text = root.findtext(OPENSEARCH + "totalResults") or "0"
    total = int(total_text) if total_text.strip().isdigit() else 0
    return len(root.findall(ATOM + "entry")), total


def fetch_arxiv(
    category: str,
    since: date,
    until: date,
    get: Getter = http_get,
    spacing: Spacing = ARXIV_SPACING,
    page_size: int = 200,
    max_results: int = 2000,
    base_url: str = ARXIV_API_URL,
) -> ParseResult:
    """Every paper in `category` submitted from `since` to `until` (inclusive), page by page,
    at most `max_results`, one request per `spacing` interval."""
    if until < since:
        raise InvalidInputError(f"empty date range: {since} is after {until}")
    combined = ParseResult(format="arxiv-atom")
    start = 0
    while start < max_results:
        spacing.wait()
        size = min(page_size, max_results - start)
        data = get(arxiv_query_url(category, since, until, start, size, base_url))
        page = parse_arxiv(data)
        combined.papers.extend(page.papers)
        combined.errors.extend(page.errors)
        combined.skipped += page.skipped
        entries, total = _page_counts(data)
        start += entries
        if entries < size or start >= total:
            break
    return combined


def fetch_arxiv_rss(
    category: str,
    since: date | None = None,
    until: date | None = None,
    get: Getter = http_get,
    spacing: Spacing = ARXIV_SPACING,
    base_url: str = ARXIV_RSS_URL,
) -> ParseResult:
    """Today's listing for `category`, optionally kept to announcements in [since, until]."""
    spacing.wait()
    result = parse_arxiv(get(base_url + urllib.parse.quote(check_category(category))))
    kept = [
        p
        for p in result.papers
        if p.published is None
        or ((since is None or p.published >= since) and (until is None or p.published <= until))
    ]
    result.skipped += len(result.papers) - len(kept)
    result.papers = kept
    return result
