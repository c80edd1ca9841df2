"""Reading a person's exported library: BibTeX, RIS, a Zotero CSV export, or a plain list of arXiv
ids / URLs and DOIs. Pure parsing, no store: text in, `LibraryEntry`s out (engine/library.py
matches and likes them).

Why strict where the feed parsers are lenient: a library is a file the person made and can fix,
and it is imported all or nothing. A file that does not parse raises `InvalidInputError` naming
the line where the trouble starts; a well-formed entry that names no paper is not an error
here, the import reports it as skipped with the reason.

Formats, as their specs and the exporters write them:
- BibTeX: `@type{key, field = {value} | "value" | number, ...}`; `@comment`, `@preamble` and
  `@string` are skipped; arXiv ids come from `eprint` (+ `archivePrefix = {arXiv}`), the `url`,
  or Google Scholar's `journal = {arXiv preprint arXiv:2509.04664}`.
- RIS: `TY  - ` opens a record, `ER  - ` closes it; TI/T1 title, AU/A1 authors, AB/N2 abstract,
  DO doi, UR url, PY/Y1/DA date.
- Zotero CSV: a header row with `Title` among Key, Item Type, Publication Year, Author, DOI, Url,
  Abstract Note, Extra (`arXiv: 2509.04664` lives there).
- A plain list: whitespace or comma separated arXiv ids, arxiv.org / huggingface.co/papers URLs,
  DOIs and doi.org URLs; `#` starts a comment (`parse_references`, in the core because the chat
  command `like <ids...>` reads the same thing).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date

from engine.library import LibraryEntry, find_doi, parse_references
from recommender.domain import InvalidInputError, normalise_arxiv_id
from sources.records import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, clean_text, one_line

MAX_BYTES = 20_000_000
_YEAR = re.compile(r"(\d{4})")
_ARXIV_IN_TEXT = re.compile(r"arxiv[:\s]*(\d{4}\.\d{4,5})(?:v\d+)?", re.IGNORECASE)
_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_BIB_SKIP = {"comment", "preamble", "string"}
_LATEX_ACCENT = re.compile(r"\\[`'^\"~=.uvHtcdbk]\s*\{?([A-Za-z])\}?")


def parse_library(text: str, name: str = "") -> tuple[str, list[LibraryEntry]]:
    """(format, entries) for a file's text; `name` (the file name) helps pick the format."""
    if len(text) > MAX_BYTES:
        raise InvalidInputError(f"the library file is over {MAX_BYTES // 1_000_000} MB")
    text = text.lstrip("\ufeff")
    kind = detect(text, name)
    parser = {"bibtex": parse_bibtex, "ris": parse_ris, "zotero-csv": parse_zotero_csv}
    return kind, parser.get(kind, parse_references)(text)


def detect(text: str, name: str = "") -> str:
    suffix = name.lower().rsplit(".", 1)[-1] if "." in name else ""
    head = text.lstrip()[:2000]
    if suffix == "bib" or head.startswith("@"):
        return "bibtex"
    if suffix == "ris" or _RIS_TAG.match(head.split("\n", 1)[0].rstrip("\r")):
        return "ris"
    if suffix == "csv" or head.split("\n", 1)[0].lstrip('"').startswith("Key"):
        return "zotero-csv"
    return "list"


# -- shared -------------------------------------------------------------------------------------


def _arxiv(*texts: str | None) -> str | None:
    for text in texts:
        if not text:
            continue
        found = normalise_arxiv_id(text.strip())
        if found:
            return found
        match = _ARXIV_IN_TEXT.search(text)
        if match:
            return match.group(1)
    return None


def _year(text: str | None) -> date | None:
    match = _YEAR.search(text or "")
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        return None
    return date(int(match.group(1)), 1, 1)


def _entry(line: int, fields: dict[str, str], authors: list[str]) -> LibraryEntry:
    url = fields.get("url", "").split()[0] if fields.get("url", "").split() else None
    return LibraryEntry(
        line=line,
        title=one_line(fields.get("title", ""), MAX_TITLE_CHARS),
        arxiv_id=_arxiv(fields.get("arxiv"), url, fields.get("journal"), fields.get("extra")),
        doi=find_doi(fields.get("doi")),
        abstract=" ".join(clean_text(fields.get("abstract", ""), MAX_ABSTRACT_CHARS).split()),
        authors=tuple(a for a in (one_line(x, 200) for x in authors[:500]) if a),
        published=_year(fields.get("year")),
        url=url if url and url.startswith(("https://", "http://")) else None,
    )


# -- BibTeX -------------------------------------------------------------------------------------


def parse_bibtex(text: str) -> list[LibraryEntry]:
    entries = []
    for line, kind, body in _bib_entries(text):
        if kind in _BIB_SKIP:
            continue
        fields = _bib_fields(body, line)
        if fields.get("archiveprefix", "").lower() == "arxiv" or "eprint" in fields:
            fields["arxiv"] = fields.get("eprint", "")
        authors = [_bib_name(a) for a in re.split(r"\s+and\s+", fields.get("author", "")) if a]
        entries.append(_entry(line, fields, authors))
    return entries


def _bib_entries(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, entry type, text between the outer braces) for every `@type{...}`."""
    pos = 0
    while (at := text.find("@", pos)) != -1:
        line_start = text.rfind("\n", 0, at) + 1
        if text[line_start:at].lstrip().startswith("%"):  # a comment line (e-mail addresses)
            pos = at + 1
            continue
        line = text.count("\n", 0, at) + 1
        match = re.compile(r"@\s*([A-Za-z]+)\s*([{(])").match(text, at)
        if match is None:
            raise InvalidInputError(f"line {line}: expected `@type{{key, ...}}` after `@`")
        close = "}" if match.group(2) == "{" else ")"
        end = _closing(text, match.end(), match.group(2), close)
        if end is None:
            raise InvalidInputError(
                f"line {line}: the @{match.group(1)} entry starting here never closes "
                f"(a missing `{close}`?)"
            )
        yield line, match.group(1).lower(), text[match.end() : end]
        pos = end + 1


def _closing(text: str, start: int, opening: str, close: str) -> int | None:
    depth = 1
    for index in range(start, len(text)):
        char = text[index]
        if char == "{" or (char == opening and opening != "{"):
            depth += 1
        elif char == "}" or (char == close and close != "}"):
            depth -= 1
            if depth == 0:
                return index
    return None


def _bib_fields(body: str, line: int) -> dict[str, str]:
    """`key, name = {value}, name = "value", year = 2024` -> {name: value} (names lower case)."""
    _, _, rest = body.partition(",")
    fields: dict[str, str] = {}
    pos = 0
    field_re = re.compile(r"\s*([A-Za-z][\w\-:]*)\s*=\s*")
    while pos < len(rest):
        if not rest[pos:].strip(" \t\r\n,"):
            break
        match = field_re.match(rest, pos)
        if match is None:
            skip = len(rest[pos:]) - len(rest[pos:].lstrip())
            here = line + body.count("\n", 0, len(body) - len(rest) + pos + skip)
            snippet = rest[pos:].strip()[:30]
            raise InvalidInputError(f"line {here}: expected `name = {{value}}`, not {snippet!r}")
        value, pos = _bib_value(rest, match.end(), line)
        fields[match.group(1).lower()] = _detex(value)
        while pos < len(rest) and rest[pos] in " \t\r\n,":
            pos += 1
    return fields


def _bib_value(text: str, pos: int, line: int) -> tuple[str, int]:
    """One value (pieces joined by `#`): `{...}`, `"..."` or a bare word/number."""
    parts = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        char = text[pos : pos + 1]
        if char == "{":
            end = _closing(text, pos + 1, "{", "}")
            if end is None:
                raise InvalidInputError(f"line {line}: a field value's braces never close")
            parts.append(text[pos + 1 : end])
            pos = end + 1
        elif char == '"':
            end = pos + 1
            depth = 0
            while end < len(text) and (text[end] != '"' or depth):
                depth += {"{": 1, "}": -1}.get(text[end], 0)
                end += 1
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = re.compile(r"[^,#}\s]+").match(text, pos)
            parts.append(match.group(0) if match else "")
            pos = match.end() if match else pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text[pos : pos + 1] != "#":
            return "".join(parts), pos
        pos += 1


def _detex(value: str) -> str:
    """Braces and simple accent commands out: `{\\"o}` -> o, `{BERT}` -> BERT."""
    value = _LATEX_ACCENT.sub(r"\1", value)
    value = value.replace("\\&", "&").replace("\\%", "%").replace("\\_", "_").replace("~", " ")
    return " ".join(value.replace("{", "").replace("}", "").split())


def _bib_name(name: str) -> str:
    """`Vaswani, Ashish` -> `Ashish Vaswani` (BibTeX's "Last, First" form)."""
    last, comma, first = name.partition(",")
    return f"{first.strip()} {last.strip()}" if comma else name.strip()


# -- RIS ----------------------------------------------------------------------------------------

_RIS_FIELDS = {
    "TI": "title", "T1": "title", "AB": "abstract", "N2": "abstract", "DO": "doi",
    "UR": "url", "PY": "year", "Y1": "year", "DA": "year", "JO": "journal", "T2": "journal",
}  # fmt: skip


def parse_ris(text: str) -> list[LibraryEntry]:
    entries = []
    fields: dict[str, str] | None = None
    authors: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = _RIS_TAG.match(line)
        if match is None:
            raise InvalidInputError(f"line {number}: not a RIS line (`XX  - value`): {line[:40]!r}")
        tag, value = match.group(1), (match.group(2) or "").strip()
        if tag == "TY":
            if fields is not None:
                raise InvalidInputError(
                    f"line {number}: a new record starts before `ER  -` closed"
                    f" the one from line {start}"
                )
            fields, authors, start = {}, [], number
        elif fields is None:
            raise InvalidInputError(f"line {number}: `{tag}` outside a record (before `TY  -`)")
        elif tag == "ER":
            entries.append(_entry(start, fields, authors))
            fields = None
        elif tag in ("AU", "A1", "A2"):
            authors.append(_bib_name(value))
        elif tag in _RIS_FIELDS:
            fields.setdefault(_RIS_FIELDS[tag], value)
            if _RIS_FIELDS[tag] == "url" and "arxiv" not in fields:
                fields["arxiv"] = value
    if fields is not None:
        raise InvalidInputError(f"line {start}: the record starting here has no `ER  -` line")
    return entries


# -- Zotero CSV ---------------------------------------------------------------------------------

_CSV_FIELDS = {
    "Title": "title", "Abstract Note": "abstract", "DOI": "doi", "Url": "url",
    "Publication Year": "year", "Extra": "extra", "Publication Title": "journal",
}  # fmt: skip


def parse_zotero_csv(text: str) -> list[LibraryEntry]:
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        if "Title" not in header:
            raise InvalidInputError("line 1: no `Title` column, so not a Zotero CSV export")
        entries = []
        line = 2
        for row in reader:
            if None in row:
                raise InvalidInputError(f"line {line}: more cells than the header has columns")
            fields = {ours: row.get(theirs) or "" for theirs, ours in _CSV_FIELDS.items()}
            authors = [a for a in (row.get("Author") or "").split(";") if a.strip()]
            entries.append(_entry(line, fields, [_bib_name(a) for a in authors]))
            line = reader.line_num + 1
        return entries
    except csv.Error as exc:
        raise InvalidInputError(f"line {reader.line_num}: not valid CSV ({exc})") from None
