"""The local source library: folders of papers the user keeps, found by their identifiers.

A library file is text (.txt, .md), a web page (.html, .htm) or a PDF. Its metadata comes
from a front-matter header (``key: value`` lines between two ``---`` lines) or a sidecar
``<file>.json``. The header is read line by line, split on the first colon, and not as
YAML, because real titles contain ": " and YAML would choke on them. Files that cannot be
used are kept as "skipped, with a reason", never silently dropped; files are only read.
"""

from __future__ import annotations

import html as htmllib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from claimcheck.errors import ClaimcheckError
from claimcheck.schema import Source
from claimcheck.sources import author_year, normalize, normalize_title, source_key

SUFFIXES = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
ID_KINDS = ("doi", "pmid", "pmcid", "nct", "arxiv", "url")
BIB_KEYS = ("authors", "journal", "year")
MAX_FILE_BYTES = 50 * 1024 * 1024
MIN_TITLE_CHARS = 20  # shorter titles ("Editorial") would match too many reference entries
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
_HEADING = re.compile(r"^\s{0,3}#\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class SkippedFile:
    """A library file that was not indexed, and why."""

    path: Path
    reason: str


class SourceLibrary:
    """Folders of source files, indexed by every identifier their metadata names.

    The folders are scanned on first use; ``add`` copies a file in and rescans.
    """

    def __init__(self, dirs: Iterable[str | Path] = ()) -> None:
        self.dirs = [Path(d) for d in dirs]
        self._sources: list[Source] = []
        self._loaded = False
        self._index: dict[tuple[str, str], list[int]] = {}
        self._skipped: list[SkippedFile] = []
        self._warnings: list[str] = []

    def entries(self) -> list[Source]:
        """Every indexed source, in folder and file-name order."""
        return list(self._load())

    @property
    def skipped(self) -> tuple[SkippedFile, ...]:
        self._load()
        return tuple(self._skipped)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Metadata problems that did not stop a file (a bad DOI, a duplicate identifier)."""
        self._load()
        return tuple(self._warnings)

    def lookup(self, kind: str, identifier: str) -> Source | None:
        """The source with this identifier, or None (also when several share an author-year
        or title, since picking one would be a guess)."""
        found = self.lookup_all(kind, identifier)
        if len(found) == 1 or (found and kind not in ("author-year", "title")):
            return found[0]
        return None

    def lookup_all(self, kind: str, identifier: str) -> list[Source]:
        """Every source indexed under this identifier.

        A title also matches a whole reference entry that contains it ("Haddad R. <title>.
        J Sleep Res. 2021"), since that is how titles usually reach us from an article.
        """
        try:
            value = normalize(kind, identifier)
        except ValueError:
            return []
        sources = self._load()
        found = self._index.get((kind, value), [])
        if not found and kind == "title":
            padded = f" {value} "
            found = [
                i
                for (k, title), holders in self._index.items()
                if k == "title" and len(title) >= MIN_TITLE_CHARS and f" {title} " in padded
                for i in holders
            ]
        return [sources[i] for i in found]

    def add(self, path: str | Path, dest_dir: str | Path | None = None) -> Path:
        """Copy ``path`` (and its sidecar .json) into ``dest_dir`` (default: the first
        library folder) and return the copy's path; the original is never modified."""
        path = Path(path)
        if dest_dir is None and not self.dirs:
            raise ClaimcheckError("no library folder to add to: set source_dirs or give one")
        dest = Path(dest_dir) if dest_dir is not None else self.dirs[0]
        if not path.is_file():
            raise ClaimcheckError(f"{path}: no such file")
        if path.suffix.lower() not in SUFFIXES:
            raise ClaimcheckError(f"{path}: unsupported source type (use {', '.join(sorted(SUFFIXES))})")
        parsed = _read_source(path)
        if isinstance(parsed, str):
            raise ClaimcheckError(f"{path}: {parsed}")
        dest.mkdir(parents=True, exist_ok=True)
        target = _free_name(dest, path)
        if not target.exists():
            shutil.copy2(path, target)
            sidecar = _sidecar(path)
            if sidecar is not None:
                shutil.copy2(sidecar, target.with_name(target.name + ".json"))
        if dest.resolve() not in {d.resolve() for d in self.dirs}:
            self.dirs.append(dest)
        self._loaded = False
        return target

    def _load(self) -> list[Source]:
        if self._loaded:
            return self._sources
        self._sources, self._index, self._skipped, self._warnings = [], {}, [], []
        self._loaded = True
        for folder in self.dirs:
            if not folder.is_dir():
                self._skipped.append(SkippedFile(folder, "library folder does not exist"))
                continue
            try:
                files = sorted(p for p in folder.rglob("*") if p.is_file())
            except OSError as exc:
                self._skipped.append(SkippedFile(folder, f"cannot list the folder ({exc.strerror or exc})"))
                continue
            for path in files:
                # hidden files and folders (.git, .DS_Store, editor backups) are not sources
                if not any(part.startswith(".") for part in path.relative_to(folder).parts):
                    self._consider(path)
        return self._sources

    def _consider(self, path: Path) -> None:
        suffix = path.suffix.lower()
        if suffix == ".json":
            stem = path.with_suffix("")
            if not (stem.is_file() or any(path.with_name(path.stem + s).is_file() for s in SUFFIXES)):
                self._skipped.append(SkippedFile(path, "sidecar .json without a source file"))
            return
        if suffix not in SUFFIXES:
            self._skipped.append(SkippedFile(path, f"unsupported file type {suffix or '(none)'}"))
            return
        parsed = _read_source(path)
        if isinstance(parsed, str):
            self._skipped.append(SkippedFile(path, parsed))
            return
        meta, text, title_found = parsed
        self._index_source(path, meta, text, title_found)

    def _index_source(self, path: Path, meta: dict[str, str], text: str, title_found: bool) -> None:
        identifiers: dict[str, str] = {}
        for kind in ID_KINDS:
            raw = meta.get(kind, "").strip()
            if not raw:
                continue
            try:
                identifiers[kind] = normalize(kind, raw)
            except ValueError as exc:
                self._warnings.append(f"{path}: {exc}")
        key_ay = author_year(meta.get("authors", ""), meta.get("year", ""))
        if key_ay:
            identifiers["author-year"] = key_ay
        for name in BIB_KEYS:
            if meta.get(name):
                identifiers[name] = meta[name].strip()
        year = _YEAR.search(identifiers.get("year", ""))
        if year:
            identifiers["year"] = year.group(0)
        title = meta.get("title", "").strip() or path.stem
        source = Source(
            key=source_key(identifiers, f"library:{path.name}"),
            title=title,
            text=text,
            origin="library",
            identifiers=identifiers,
            location=str(path),
        )
        number = len(self._sources)
        self._sources.append(source)
        keys = [(k, identifiers[k]) for k in (*ID_KINDS, "author-year") if k in identifiers]
        if title_found and normalize_title(title):
            keys.append(("title", normalize_title(title)))
        for key in keys:
            holders = self._index.setdefault(key, [])
            if holders and key[0] in ID_KINDS:
                first = self._sources[holders[0]].location
                self._warnings.append(f"{path}: {key[0]} {key[1]} is also in {first}; the first file wins")
            holders.append(number)


def _read_source(path: Path) -> tuple[dict[str, str], str, bool] | str:
    """(metadata, text, whether a real title was found) or the reason the file is unusable."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return f"larger than {MAX_FILE_BYTES // 1048576} MB"
        data = path.read_bytes()
    except OSError as exc:
        return f"cannot read ({exc.strerror or exc})"
    try:
        sidecar_meta = _read_sidecar(path)
    except ValueError as exc:
        return str(exc)
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        result = read_pdf(data)
        if isinstance(result, str):
            return result
        meta, text = result
    else:
        if b"\x00" in data[:8192]:
            return "looks like a binary file, not text"
        raw = _decode(data)
        meta, body = split_front_matter(raw)
        if suffix in (".html", ".htm"):
            page_meta, text = extract_html(body)
            meta = {**page_meta, **meta}
        else:
            text = body.strip()
            if "title" not in meta and suffix in (".md", ".markdown"):
                heading = _HEADING.search(text)
                if heading:
                    meta["title"] = heading.group(1)
    meta = {**meta, **sidecar_meta}
    if not text.strip():
        return "no text to check against"
    return meta, text.strip(), bool(meta.get("title", "").strip())


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Header keys (lower-case) and the body after the header; no header -> ({}, text)."""
    lines = text.splitlines(keepends=True)
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].strip() != "---":
        return {}, text
    for end in range(start + 1, len(lines)):
        if lines[end].strip() != "---":
            continue
        meta: dict[str, str] = {}
        for line in lines[start + 1 : end]:
            key, sep, value = line.partition(":")
            key = key.strip().lower()
            if sep and key and not key.startswith("#"):
                meta[key] = _unquote(value.strip())
        if not meta:
            return {}, text
        return meta, "".join(lines[end + 1 :])
    return {}, text


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _sidecar(path: Path) -> Path | None:
    for candidate in (path.with_name(path.name + ".json"), path.with_suffix(".json")):
        if candidate.is_file():
            return candidate
    return None


def _read_sidecar(path: Path) -> dict[str, str]:
    sidecar = _sidecar(path)
    if sidecar is None:
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"sidecar {sidecar.name} is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"sidecar {sidecar.name} is not a JSON object")
    meta: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        if value is not None:
            meta[str(key).lower()] = str(value)
    return meta


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_pdf(data: bytes) -> tuple[dict[str, str], str] | str:
    """(metadata, text) of a PDF, or the reason it cannot be read (pypdf is optional)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return "PDF support needs pypdf (pip install 'claimcheck[pdf]')"
    import io
    import logging

    # pypdf logs warnings about malformed files; without this, Python's last-resort handler
    # would print them when the application has not configured logging.
    pypdf_log = logging.getLogger("pypdf")
    if not any(isinstance(h, logging.NullHandler) for h in pypdf_log.handlers):
        pypdf_log.addHandler(logging.NullHandler())
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            return "PDF is encrypted"
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except Exception as exc:  # pypdf raises many types for malformed files
        detail = " ".join(str(exc).split())[:120] or type(exc).__name__
        return f"cannot read PDF ({detail})"
    if not text.strip():
        return "PDF has no extractable text (a scan?)"
    return ({"title": title} if title else {}), text


# --- HTML: shared with the online web resolver ----------------------------------------

_SKIP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "iframe",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "select",
        "canvas",
    }
)
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "br",
        "blockquote",
        "pre",
        "table",
        "ul",
        "ol",
        "dd",
        "dt",
        "figcaption",
    }
)
_META_KEYS = {
    "citation_title": "title",
    "dc.title": "title",
    "og:title": "title",
    "citation_doi": "doi",
    "dc.identifier": "doi",
    "citation_pmid": "pmid",
    "citation_journal_title": "journal",
    "citation_publication_date": "year",
    "citation_date": "year",
    "citation_year": "year",
}


class _PageParser(HTMLParser):
    """Tag-stripping fallback text, plus the page's title and citation meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.authors: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k.lower(): v or "" for k, v in attrs}
        if tag == "meta":
            name = (values.get("name") or values.get("property") or "").lower()
            content = values.get("content", "").strip()
            if name == "citation_author" and content:
                self.authors.append(short_author(content))
            elif (
                name in _META_KEYS
                and content
                and _META_KEYS[name] not in self.meta
                and (name != "dc.identifier" or content.lower().startswith(("10.", "doi:")))
            ):
                self.meta[_META_KEYS[name]] = content
            return
        if tag in _SKIP_TAGS:
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")
        if tag in self._in:
            while self._in and self._in.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        current = self._in[-1] if self._in else ""
        if current == "title":
            self.title += data
            return
        if current == "h1" and not self._skip:
            self.h1 += data
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        paragraphs = (" ".join(chunk.split()) for chunk in "".join(self.parts).split("\n"))
        return "\n".join(p for p in paragraphs if p)


def extract_html(page: str, url: str | None = None) -> tuple[dict[str, str], str]:
    """(metadata, main text) of a web page: trafilatura picks the article, with plain
    tag-stripping when it finds nothing (very short or unusual pages)."""
    parser = _PageParser()
    try:
        parser.feed(page)
        parser.close()
    except Exception:  # the stdlib parser is lenient; this is a last-ditch guard
        pass
    meta = dict(parser.meta)
    title = meta.get("title") or " ".join(parser.title.split()) or " ".join(parser.h1.split())
    if title:
        meta["title"] = htmllib.unescape(title)
    if parser.authors:
        meta["authors"] = ", ".join(parser.authors)
    text = ""
    try:
        import trafilatura

        text = trafilatura.extract(page, url=url, include_comments=False, include_tables=True) or ""
    except Exception:  # trafilatura can fail on odd markup; fall back below
        text = ""
    fallback = parser.text()
    if len(text.strip()) < min(200, len(fallback) // 2):
        text = fallback
    return meta, text.strip()


def short_author(name: str) -> str:
    """ "Haddad, Rania" or "Rania K. Haddad" -> "Haddad RK", the style claimcheck uses."""
    family, comma, given = name.partition(",")
    if not comma:
        words = name.split()
        if len(words) < 2:
            return name.strip()
        family, given = words[-1], " ".join(words[:-1])
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given) if part).upper()
    return f"{family.strip()} {initials}".strip()


def _free_name(dest: Path, path: Path) -> Path:
    """Where a copy of ``path`` goes in ``dest``: its own name, or name-2, name-3, ... when a
    different file already has that name (an identical one is reused)."""
    data = path.read_bytes()
    for n in range(1, 1000):
        name = path.name if n == 1 else f"{path.stem}-{n}{path.suffix}"
        target = dest / name
        if not target.exists():
            return target
        if target.resolve() == path.resolve() or target.read_bytes() == data:
            return target
    raise ClaimcheckError(f"{dest}: too many files named like {path.name}")
