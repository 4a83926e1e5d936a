"""Source resolution: a cited identifier -> the text of the source it names.

Lookups go to the local library first (what the user trusts and can read offline), then
the SQLite cache (what an earlier run fetched), then, only when online is on, the online
resolvers for that kind, whose answers are cached. A failed lookup is never an exception:
it is a ``Resolution`` with no source and a reason a person can act on.

Identifier kinds, each with one normal form so that every stage agrees on keys:
doi ("10.xxxx/...", lower-case), pmid (digits), pmcid ("PMC" + digits), nct ("NCT" + 8
digits), arxiv ("2405.11873", no version), url (absolute http(s) URL), author-year
("<first author surname> <year>", lower-case), title (normalised title text).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from claimcheck.schema import Source

if TYPE_CHECKING:
    from claimcheck.config import Settings
    from claimcheck.sources.cache import SourceCache
    from claimcheck.sources.library import SourceLibrary
    from claimcheck.sources.online import OnlineResolver

KINDS = ("doi", "pmid", "pmcid", "nct", "arxiv", "url", "author-year", "title")
KEY_PRIORITY = ("doi", "pmid", "pmcid", "nct", "arxiv", "url")
OFFLINE_REASON = "not in the local library or cache (use --online to fetch)"

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"\d{4}\.\d{4,5}")
_ARXIV_OLD = re.compile(r"[a-z][a-z.\-]*/\d{7}")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)[a-z]?\b")
_NOT_NAME = re.compile(r"[^\w\s'\-]")
_NON_WORD = re.compile(r"[\W_]+")
_INITIALS = re.compile(r"^(?:[A-Z]{1,3}|[A-Z]\.?(?:-?[A-Z]\.?)*)$")


def _fold(text: str) -> str:
    """Lower-case without accents, so "Sørensen" and "Sorensen" meet."""
    text = unicodedata.normalize("NFKD", text.replace("ø", "o").replace("Ø", "O"))
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def normalize_title(title: str) -> str:
    """Title text reduced to lower-case words, so punctuation and case never block a match."""
    return " ".join(_NON_WORD.sub(" ", _fold(title)).split())


def surname(author: str) -> str:
    """The surname of one "Haddad R" style author (or an organisation's whole name)."""
    author = re.sub(r"\([^)]*\)", " ", author).replace("’", "'")
    words = author.split()
    while len(words) > 1 and _INITIALS.match(words[-1]):
        words.pop()
    return " ".join(_NOT_NAME.sub(" ", _fold(" ".join(words))).split())


def author_year(authors: str, year: str | int) -> str | None:
    """The author-year key ("haddad 2021") from an authors field and a year."""
    first = re.split(r"[;,]", authors, maxsplit=1)[0] if authors else ""
    name = surname(first)
    match = _YEAR.search(str(year))
    if not name or not match:
        return None
    return f"{name} {match.group(1)}"


def normalize_url(url: str) -> str:
    url = url.strip().rstrip(".,;")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"not a valid URL: {url!r}") from exc
    if port and port != (443 if scheme == "https" else 80):
        host = f"{host}:{port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    return urlunsplit((scheme, host, path, parts.query, ""))


def _normalize_author_year(text: str) -> str:
    match = _YEAR.search(text)
    if not match:
        raise ValueError(f"no year in author-year reference: {text!r}")
    before = text[: match.start()].lstrip("([{ \t")
    before = re.split(r"\bet\s+al\b|\band\b|&|,|;|\(", before, maxsplit=1)[0]
    name = surname(before)
    if not name:
        raise ValueError(f"no author in author-year reference: {text!r}")
    return f"{name} {match.group(1)}"


def normalize(kind: str, identifier: str) -> str:
    """The normal form of ``identifier`` as ``kind``; ValueError says why it is not one."""
    text = identifier.strip()
    if kind == "doi":
        text = unquote(_DOI_PREFIX.sub("", text)).strip().lower().rstrip(".,;")
        if text.endswith(")") and text.count("(") < text.count(")"):
            text = text[:-1]
        if not _DOI.fullmatch(text):
            raise ValueError(f"not a valid DOI: {identifier!r}")
        return text
    if kind == "pmid":
        text = re.sub(r"^pmid:?\s*", "", text, flags=re.IGNORECASE)
        text = text.lstrip("0") if text.isdigit() else text
        if not text.isdigit() or len(text) > 9:
            raise ValueError(f"not a valid PMID: {identifier!r}")
        return text
    if kind == "pmcid":
        text = re.sub(r"^(?:pmcid:?\s*)", "", text, flags=re.IGNORECASE).upper()
        text = text if text.startswith("PMC") else f"PMC{text}"
        if not text[3:].isdigit():
            raise ValueError(f"not a valid PMCID: {identifier!r}")
        return text
    if kind == "nct":
        text = text.upper()
        if not re.fullmatch(r"NCT\d{8}", text):
            raise ValueError(f"not a valid ClinicalTrials.gov id (NCT + 8 digits): {identifier!r}")
        return text
    if kind == "arxiv":
        text = re.sub(r"^arxiv:\s*", "", text, flags=re.IGNORECASE)
        text = re.sub(r"v\d+$", "", text)
        if not (_ARXIV_NEW.fullmatch(text) or _ARXIV_OLD.fullmatch(text.lower())):
            raise ValueError(f"not a valid arXiv id: {identifier!r}")
        return text if _ARXIV_NEW.fullmatch(text) else text.lower()
    if kind == "url":
        return normalize_url(text)
    if kind == "author-year":
        return _normalize_author_year(text)
    if kind == "title":
        title = normalize_title(text)
        if not title:
            raise ValueError("empty title")
        return title
    raise ValueError(f"unknown identifier kind {kind!r} (one of {', '.join(KINDS)})")


def url_aliases(url: str) -> list[tuple[str, str]]:
    """Identifiers a well-known URL stands for (doi.org, PubMed, PMC, ClinicalTrials.gov,
    arXiv), so a link to an abstract page resolves through the proper API."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = unquote(parts.path)
    found: list[tuple[str, str]] = []
    patterns = [
        (("doi.org", "dx.doi.org"), r"/(10\..+)", "doi"),
        (("pubmed.ncbi.nlm.nih.gov",), r"/(\d+)/?", "pmid"),
        (("ncbi.nlm.nih.gov",), r"/pubmed/(\d+)/?", "pmid"),
        (("ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov"), r"(?:/pmc)?/articles/(PMC\d+)/?", "pmcid"),
        (("clinicaltrials.gov",), r"/(?:study|ct2/show)/(NCT\d{8})/?", "nct"),
        (("arxiv.org", "export.arxiv.org"), r"/(?:abs|pdf)/(.+?)(?:\.pdf)?/?", "arxiv"),
    ]
    for hosts, pattern, kind in patterns:
        match = re.fullmatch(pattern, path, flags=re.IGNORECASE)
        if host in hosts and match:
            try:
                found.append((kind, normalize(kind, match.group(1))))
            except ValueError:
                continue
    return found


def source_key(identifiers: dict[str, str], fallback: str) -> str:
    """A source's key from its strongest identifier, so the same paper reached by DOI,
    PMID or URL gets one key."""
    for kind in KEY_PRIORITY:
        if identifiers.get(kind):
            return f"{kind}:{identifiers[kind]}"
    return fallback


@dataclass(frozen=True)
class Resolution:
    """The answer for one identifier: the source, or None and why nothing was found."""

    key: str
    source: Source | None
    reason: str


class SourceResolver:
    """The chain: library, then cache, then online resolvers (when online is on).

    Answers are memoised per instance, so an identifier cited ten times costs one lookup.
    """

    def __init__(
        self,
        library: SourceLibrary | None = None,
        cache: SourceCache | None = None,
        resolvers: Sequence[OnlineResolver] = (),
        online: bool = False,
    ) -> None:
        self.library = library
        self.cache = cache
        self.resolvers = tuple(resolvers)
        self.online = online
        self.warnings: list[str] = []
        self._memo: dict[tuple[str, str], Resolution] = {}
        self._lock = threading.Lock()

    def resolve(self, kind: str, identifier: str) -> Resolution:
        """The source ``identifier`` names; never raises for a failed lookup."""
        try:
            value = normalize(kind, identifier)
        except ValueError as exc:
            return Resolution(f"{kind}:{identifier.strip()}", None, str(exc))
        with self._lock:
            known = self._memo.get((kind, value))
        if known is not None:
            return known
        result = self._resolve(kind, value)
        with self._lock:
            self._memo[(kind, value)] = result
        return result

    def _resolve(self, kind: str, value: str) -> Resolution:
        key = f"{kind}:{value}"
        candidates = [(kind, value)]
        if kind == "url":
            candidates += url_aliases(value)
        for cand_kind, cand_value in candidates:
            found = self._from_library(key, cand_kind, cand_value)
            if found is not None:
                return found
        # An alias (doi.org link -> doi) goes through its API; the plain URL is the fallback.
        target = next(
            (c for c in [*candidates[1:], candidates[0]] if any(c[0] in r.kinds for r in self.resolvers)), candidates[0]
        )
        for cand_kind, cand_value in candidates:
            entry = self._cache_get(cand_kind, cand_value)
            if entry is not None and entry.source is not None:
                return Resolution(key, entry.source, _text_note(entry.source))
            if entry is not None and (cand_kind, cand_value) == target:
                return Resolution(key, None, f"{entry.reason} (cached {entry.fetched_at[:10]})")
        if not self.online:
            return Resolution(key, None, OFFLINE_REASON)
        if not any(target[0] in r.kinds for r in self.resolvers):
            return Resolution(key, None, f"not in the local library or cache; no online lookup for {kind} references")
        return self._fetch(key, *target)

    def _from_library(self, key: str, kind: str, value: str) -> Resolution | None:
        if self.library is None:
            return None
        matches = self.library.lookup_all(kind, value)
        if len(matches) == 1 or (matches and kind not in ("author-year", "title")):
            return Resolution(key, matches[0], _text_note(matches[0]))
        if matches:
            names = ", ".join(m.location.rsplit("/", 1)[-1] for m in matches[:3])
            return Resolution(
                key, None, f"ambiguous: {len(matches)} library sources match {value!r} ({names}); cite a DOI or PMID"
            )
        return None

    def _cache_get(self, kind: str, value: str) -> Any:
        if self.cache is None:
            return None
        from claimcheck.errors import ClaimcheckError

        try:
            return self.cache.get(kind, value)
        except ClaimcheckError as exc:
            self._warn(str(exc))
            return None

    def _fetch(self, key: str, kind: str, value: str) -> Resolution:
        from claimcheck.sources.http import FetchError

        failures: list[str] = []
        transient = False
        partial: Source | None = None
        for resolver in self.resolvers:
            if kind not in resolver.kinds:
                continue
            try:
                source = resolver.fetch(kind, value)
            except FetchError as exc:
                failures.append(f"{resolver.name}: {exc.reason}")
                transient = transient or exc.transient
                continue
            except (ValueError, TypeError, AttributeError, KeyError, IndexError) as exc:
                # A service answered with a shape we did not expect; report, don't crash.
                failures.append(f"{resolver.name}: unexpected response ({type(exc).__name__})")
                transient = True
                continue
            partial = _merge(partial, source) if partial else source
            if partial.text.strip():
                break
        if partial is not None:
            if partial.text.strip() or not transient:
                self._cache_put(kind, value, partial, "", partial.origin)
            return Resolution(key, partial, _text_note(partial))
        reason = "; ".join(failures) or f"no online lookup for {kind}"
        if not transient:
            self._cache_put(kind, value, None, reason, "online")
        return Resolution(key, None, reason)

    def _cache_put(self, kind: str, value: str, source: Source | None, reason: str, origin: str) -> None:
        if self.cache is None:
            return
        from claimcheck.errors import ClaimcheckError

        try:
            self.cache.put(kind, value, source, reason=reason, origin=origin)
        except ClaimcheckError as exc:
            self._warn(str(exc))

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)


def _text_note(source: Source) -> str:
    if source.text.strip():
        return ""
    return f"{source.origin}: found the record, but no abstract or text to check against"


def _merge(meta: Source, found: Source) -> Source:
    """``found``'s text with the metadata an earlier resolver already had."""
    identifiers = {**found.identifiers, **{k: v for k, v in meta.identifiers.items() if v}}
    return replace(
        found,
        title=meta.title or found.title,
        identifiers=identifiers,
        key=source_key(identifiers, found.key),
        text=found.text or meta.text,
    )


def build_resolver(
    settings: Settings, online: bool | None = None, *, resolvers: Sequence[OnlineResolver] | None = None
) -> SourceResolver:
    """The resolver a run uses, from its settings; ``online`` overrides settings.online."""
    from claimcheck.sources.cache import SourceCache
    from claimcheck.sources.library import SourceLibrary

    online = settings.online if online is None else online
    library = SourceLibrary(settings.source_dirs) if settings.source_dirs else None
    cache = SourceCache(settings.cache_dir / "sources.sqlite")
    if resolvers is None and online:
        from claimcheck.sources.http import SafeClient
        from claimcheck.sources.online import default_resolvers

        client = SafeClient(allow_private=settings.allow_private_addresses)
        resolvers = default_resolvers(client)
    return SourceResolver(library, cache, resolvers or (), online)


def __getattr__(name: str) -> Any:
    """The parts of the chain, importable from here without loading them all up front."""
    modules = {
        "SourceLibrary": "library",
        "SkippedFile": "library",
        "SourceCache": "cache",
        "CacheEntry": "cache",
        "SafeClient": "http",
        "FetchError": "http",
        "OnlineResolver": "online",
        "default_resolvers": "online",
    }
    if name in modules:
        import importlib

        return getattr(importlib.import_module(f"claimcheck.sources.{modules[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KINDS",
    "OFFLINE_REASON",
    "Resolution",
    "SourceResolver",
    "author_year",
    "build_resolver",
    "normalize",
    "normalize_title",
    "normalize_url",
    "source_key",
    "surname",
    "url_aliases",
]
