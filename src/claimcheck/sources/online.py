"""Online resolvers: one per public service, all behind one small interface.

Each resolver turns one identifier into a ``Source`` or raises ``FetchError``; all of them
go through the ``SafeClient`` (address checks, size and time limits), and each takes its
base URL as a parameter so tests can point it at a fake service on loopback. The chain in
``claimcheck.sources`` decides the order and merges metadata with text.
"""

from __future__ import annotations

import html as htmllib
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import quote

from claimcheck.schema import Source
from claimcheck.sources import normalize, normalize_url, source_key
from claimcheck.sources.http import FetchError, Response, SafeClient
from claimcheck.sources.library import extract_html, read_pdf, short_author

BASE_URLS = {
    "crossref": "https://api.crossref.org",
    "europepmc": "https://www.ebi.ac.uk/europepmc/webservices/rest",
    "clinicaltrials": "https://clinicaltrials.gov/api/v2",
    "arxiv": "https://export.arxiv.org",
    "doi.org": "https://doi.org",
}
_TAG = re.compile(r"<[^>]+>")
_INLINE = re.compile(
    r"</?(?:jats:)?(?:i|b|em|strong|sup|sub|italic|bold|sc|underline|span|a|"
    r"monospace|inline-formula)\b[^>]*>",
    re.IGNORECASE,
)
_ATOM = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


class OnlineResolver(Protocol):
    """Fetches sources of some identifier kinds from one service."""

    name: str
    kinds: tuple[str, ...]

    def fetch(self, kind: str, identifier: str) -> Source:
        """The source for a normalised identifier; FetchError when there is none."""
        ...


def strip_markup(text: str) -> str:
    """Plain text from JATS or HTML snippets (abstracts come with <jats:p>, <i>, <h4>)."""
    text = _INLINE.sub("", text)
    text = re.sub(r"</?(?:jats:)?(?:p|sec|title|h\d|li|div)\b[^>]*>|<br\s*/?>", "\n", text)
    text = htmllib.unescape(_TAG.sub(" ", text))
    paragraphs = [" ".join(line.split()) for line in text.split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and paragraphs[0].lower() == "abstract":
        paragraphs = paragraphs[1:]
    return "\n".join(paragraphs)


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _source(
    identifiers: dict[str, str], fallback_key: str, title: str, text: str, origin: str, location: str
) -> Source:
    clean = {k: v for k, v in identifiers.items() if v}
    return Source(
        key=source_key(clean, fallback_key),
        title=" ".join(title.split()),
        text=text.strip(),
        origin=origin,
        identifiers=clean,
        location=location,
    )


def _safe_id(kind: str, value: Any) -> str:
    """An identifier from a service response, normalised, or "" when it is not valid."""
    try:
        return normalize(kind, str(value)) if value else ""
    except ValueError:
        return ""


def _bib(identifiers: dict[str, str], authors: list[str], journal: str, year: Any) -> None:
    from claimcheck.sources import author_year

    joined = ", ".join(a for a in authors if a)
    identifiers.update({"authors": joined, "journal": journal, "year": str(year or "")})
    identifiers["author-year"] = author_year(joined, year or "") or ""


class CrossrefResolver:
    """Crossref works API: title, authors, journal, year and (sometimes) the abstract."""

    name = "crossref"
    kinds = ("doi",)

    def __init__(self, client: SafeClient, base_url: str = BASE_URLS["crossref"], mailto: str | None = None) -> None:
        self.client, self.base_url, self.mailto = client, base_url.rstrip("/"), mailto

    def fetch(self, kind: str, identifier: str) -> Source:
        url = f"{self.base_url}/works/{quote(identifier, safe='/')}"
        params = {"mailto": self.mailto} if self.mailto else None
        message = self.client.get(url, params=params, accept="application/json").json()
        message = message.get("message") if isinstance(message, dict) else None
        if not isinstance(message, dict):
            raise FetchError("unexpected response (no message)")
        authors = [
            short_author(f"{a['family']}, {a.get('given', '')}") if a.get("family") else str(a.get("name", ""))
            for a in message.get("author") or []
            if isinstance(a, dict)
        ]
        year = _first(((message.get("issued") or {}).get("date-parts") or [[None]])[0])
        ids = {"doi": _safe_id("doi", message.get("DOI") or identifier), "url": _safe_id("url", message.get("URL"))}
        _bib(ids, authors, _first(message.get("container-title")), year)
        return _source(
            ids,
            f"doi:{identifier}",
            _first(message.get("title")),
            strip_markup(str(message.get("abstract") or "")),
            self.name,
            url,
        )


class EuropePmcResolver:
    """Europe PMC search: abstracts for PubMed ids, PMC ids and DOIs."""

    name = "europepmc"
    kinds = ("pmid", "pmcid", "doi")

    def __init__(self, client: SafeClient, base_url: str = BASE_URLS["europepmc"]) -> None:
        self.client, self.base_url = client, base_url.rstrip("/")

    def fetch(self, kind: str, identifier: str) -> Source:
        query = {
            "pmid": f"EXT_ID:{identifier} AND SRC:MED",
            "pmcid": f"PMCID:{identifier}",
            "doi": f'DOI:"{identifier}"',
        }.get(kind)
        if query is None:
            raise FetchError(f"cannot look up {kind}")
        url = f"{self.base_url}/search"
        data = self.client.get(
            url, params={"query": query, "resultType": "core", "format": "json"}, accept="application/json"
        ).json()
        results = ((data or {}).get("resultList") or {}).get("result") or []
        if not results or not isinstance(results[0], dict):
            raise FetchError(f"no record for {kind} {identifier}")
        hit = results[0]
        ids = {
            "doi": _safe_id("doi", hit.get("doi")),
            "pmid": _safe_id("pmid", hit.get("pmid")),
            "pmcid": _safe_id("pmcid", hit.get("pmcid")),
        }
        ids[kind] = ids.get(kind) or identifier
        journal = (((hit.get("journalInfo") or {}).get("journal")) or {}).get("title", "")
        authors = [a.strip() for a in str(hit.get("authorString") or "").rstrip(".").split(",")]
        _bib(ids, authors, journal or str(hit.get("journalTitle") or ""), hit.get("pubYear"))
        return _source(
            ids,
            f"{kind}:{identifier}",
            strip_markup(str(hit.get("title") or "")),
            strip_markup(str(hit.get("abstractText") or "")),
            self.name,
            f"{url}?query={quote(query)}",
        )


class ClinicalTrialsResolver:
    """ClinicalTrials.gov API v2: a registry record as readable text (summary, design,
    arms, outcomes, enrolment), so registered outcomes can be checked against claims."""

    name = "clinicaltrials"
    kinds = ("nct",)

    def __init__(self, client: SafeClient, base_url: str = BASE_URLS["clinicaltrials"]) -> None:
        self.client, self.base_url = client, base_url.rstrip("/")

    def fetch(self, kind: str, identifier: str) -> Source:
        url = f"{self.base_url}/studies/{quote(identifier)}"
        study = self.client.get(url, accept="application/json").json()
        protocol = (study or {}).get("protocolSection") if isinstance(study, dict) else None
        if not isinstance(protocol, dict):
            raise FetchError("unexpected response (no protocolSection)")
        ident = protocol.get("identificationModule") or {}
        title = ident.get("briefTitle") or ident.get("officialTitle") or ""
        sponsor = (((protocol.get("sponsorCollaboratorsModule") or {}).get("leadSponsor")) or {}).get("name", "")
        start = ((protocol.get("statusModule") or {}).get("startDateStruct") or {}).get("date", "")
        ids = {"nct": _safe_id("nct", ident.get("nctId")) or identifier}
        _bib(ids, [sponsor] if sponsor else [], "ClinicalTrials.gov", str(start)[:4])
        return _source(
            ids,
            f"nct:{identifier}",
            title,
            _trial_text(protocol),
            self.name,
            f"https://clinicaltrials.gov/study/{identifier}",
        )


def _trial_text(protocol: Mapping[str, Any]) -> str:
    ident = protocol.get("identificationModule") or {}
    desc = protocol.get("descriptionModule") or {}
    design = protocol.get("designModule") or {}
    status = protocol.get("statusModule") or {}
    parts = [ident.get("officialTitle", ""), desc.get("briefSummary", ""), desc.get("detailedDescription", "")]
    conditions = (protocol.get("conditionsModule") or {}).get("conditions") or []
    if conditions:
        parts.append("Conditions: " + "; ".join(map(str, conditions)) + ".")
    info = design.get("designInfo") or {}
    facts = [
        " ".join(map(str, design.get("phases") or [])),
        design.get("studyType", ""),
        info.get("allocation", ""),
        (info.get("maskingInfo") or {}).get("masking", ""),
    ]
    facts_text = ", ".join(str(f).replace("_", " ").lower() for f in facts if f)
    if facts_text:
        parts.append(f"Design: {facts_text}.")
    enrollment = design.get("enrollmentInfo") or {}
    if enrollment.get("count") is not None:
        kind = str(enrollment.get("type", "")).lower()
        parts.append(f"Enrollment: {enrollment['count']} participants" + (f" ({kind})." if kind else "."))
    if status.get("overallStatus"):
        parts.append(f"Status: {str(status['overallStatus']).replace('_', ' ').lower()}.")
    arms = protocol.get("armsInterventionsModule") or {}
    for arm in arms.get("armGroups") or []:
        parts.append(
            f"Arm: {arm.get('label', '')} ({str(arm.get('type', '')).lower()}). {arm.get('description', '')}".replace(
                "_", " "
            )
        )
    for item in arms.get("interventions") or []:
        parts.append(f"Intervention: {item.get('name', '')}. {item.get('description', '')}")
    outcomes = protocol.get("outcomesModule") or {}
    for label, key in (("Primary outcome", "primaryOutcomes"), ("Secondary outcome", "secondaryOutcomes")):
        for outcome in outcomes.get(key) or []:
            frame = outcome.get("timeFrame", "")
            parts.append(
                f"{label}: {outcome.get('measure', '')}"
                + (f" (time frame: {frame})" if frame else "")
                + ". "
                + str(outcome.get("description", ""))
            )
    return "\n\n".join(" ".join(str(p).split()) for p in parts if str(p).strip())


class ArxivResolver:
    """arXiv export API (Atom): title, authors, year and abstract of a preprint."""

    name = "arxiv"
    kinds = ("arxiv",)

    def __init__(self, client: SafeClient, base_url: str = BASE_URLS["arxiv"]) -> None:
        self.client, self.base_url = client, base_url.rstrip("/")

    def fetch(self, kind: str, identifier: str) -> Source:
        url = f"{self.base_url}/api/query"
        response = self.client.get(url, params={"id_list": identifier}, accept="application/atom+xml")
        try:
            root = ET.fromstring(response.body)
        except ET.ParseError as exc:
            raise FetchError("arXiv answered with malformed XML") from exc
        entry = root.find("atom:entry", _ATOM)
        if entry is None or (entry.findtext("atom:title", "", _ATOM).strip() == "Error"):
            raise FetchError(f"no arXiv record for {identifier}")
        authors = [short_author(a.findtext("atom:name", "", _ATOM)) for a in entry.findall("atom:author", _ATOM)]
        ids = {"arxiv": identifier, "doi": _safe_id("doi", entry.findtext("arxiv:doi", "", _ATOM))}
        published = entry.findtext("atom:published", "", _ATOM)
        _bib(ids, authors, "arXiv preprint (not peer reviewed)", published[:4])
        return _source(
            ids,
            f"arxiv:{identifier}",
            entry.findtext("atom:title", "", _ATOM),
            " ".join(entry.findtext("atom:summary", "", _ATOM).split()),
            self.name,
            f"https://arxiv.org/abs/{identifier}",
        )


class WebResolver:
    """Any web page or PDF: the main text, found by trafilatura."""

    name = "web"
    kinds = ("url",)

    def __init__(self, client: SafeClient) -> None:
        self.client = client

    def fetch(self, kind: str, identifier: str) -> Source:
        return page_source(self.client.get(identifier, accept=_PAGE_ACCEPT), self.name, {"url": identifier})


class DoiLandingResolver:
    """The publisher's landing page behind doi.org: the last resort for a DOI's text."""

    name = "doi.org"
    kinds = ("doi",)

    def __init__(self, client: SafeClient, base_url: str = BASE_URLS["doi.org"]) -> None:
        self.client, self.base_url = client, base_url.rstrip("/")

    def fetch(self, kind: str, identifier: str) -> Source:
        response = self.client.get(f"{self.base_url}/{quote(identifier, safe='/')}", accept=_PAGE_ACCEPT)
        return page_source(response, "web", {"doi": identifier})


_PAGE_ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.8,application/pdf;q=0.5"


def page_source(response: Response, origin: str, identifiers: dict[str, str]) -> Source:
    """A Source from a fetched page: HTML main text, plain text, or a PDF's text."""
    kind = response.content_type
    if kind == "application/pdf":
        result = read_pdf(response.body)
        if isinstance(result, str):
            raise FetchError(result)
        meta, text = result
    elif kind in ("text/html", "application/xhtml+xml", "text/plain"):
        if _looks_binary(response.body):
            raise FetchError("looks like binary data, not a web page")
        if kind == "text/plain":
            meta, text = {}, response.text
        else:
            meta, text = extract_html(response.text, url=response.url)
    else:
        raise FetchError(f"not a web page ({kind})")
    if not text.strip():
        raise FetchError("no readable text on the page")
    ids = dict(identifiers)
    ids.setdefault("doi", _safe_id("doi", meta.get("doi")))
    ids.setdefault("pmid", _safe_id("pmid", meta.get("pmid")))
    ids.setdefault("url", _final_url(response.url))
    _bib(
        ids, [a.strip() for a in meta.get("authors", "").split(",")], meta.get("journal", ""), meta.get("year", "")[:4]
    )
    fallback = next((f"{k}:{v}" for k, v in identifiers.items()), f"url:{response.url}")
    return _source(ids, fallback, meta.get("title", ""), text, origin, response.url)


def _final_url(url: str) -> str:
    try:
        return normalize_url(url)
    except ValueError:
        return ""


def _looks_binary(body: bytes) -> bool:
    sample = body[:4096]
    if b"\x00" in sample:
        return True
    text = sample.decode("utf-8", errors="replace")
    odd = sum(1 for ch in text if ch == "\ufffd" or (ord(ch) < 32 and ch not in "\r\n\t\f"))
    return odd > max(8, len(text) // 10)


def default_resolvers(client: SafeClient, base_urls: Mapping[str, str] | None = None) -> list[OnlineResolver]:
    """Every online resolver, in the order the chain tries them for a kind."""
    bases = {**BASE_URLS, **(base_urls or {})}
    return [
        CrossrefResolver(client, bases["crossref"]),
        EuropePmcResolver(client, bases["europepmc"]),
        ClinicalTrialsResolver(client, bases["clinicaltrials"]),
        ArxivResolver(client, bases["arxiv"]),
        WebResolver(client),
        DoiLandingResolver(client, bases["doi.org"]),
    ]
