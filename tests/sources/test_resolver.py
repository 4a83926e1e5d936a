"""The resolution chain: identifiers, library, cache, online resolvers, and their reasons."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from claimcheck.config import Settings
from claimcheck.sources import (
    OFFLINE_REASON,
    SourceResolver,
    author_year,
    build_resolver,
    normalize,
    url_aliases,
)
from claimcheck.sources.cache import SourceCache
from claimcheck.sources.library import SourceLibrary
from claimcheck.sources.online import default_resolvers

DATA = Path(__file__).resolve().parents[2] / "data" / "sources"
DOI = "10.5555/jsleepres.2021.0142"
JSON = "application/json"

WORK = {
    "status": "ok",
    "message": {
        "DOI": DOI,
        "title": ["Magnesium glycinate and sleep quality in older adults"],
        "author": [{"given": "Rania", "family": "Haddad"}],
        "container-title": ["Journal of Sleep Research"],
        "issued": {"date-parts": [[2021, 6, 14]]},
    },
}
HIT = {
    "hitCount": 1,
    "resultList": {
        "result": [
            {
                "pmid": "34567890",
                "doi": DOI,
                "title": "Magnesium glycinate and sleep quality in older adults.",
                "authorString": "Haddad R, Okonkwo L.",
                "pubYear": "2021",
                "abstractText": "Sleep onset latency fell by 4.1 minutes (p = 0.21).",
            }
        ]
    },
}
EMPTY = {"hitCount": 0, "resultList": {"result": []}}


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("doi", "https://doi.org/10.5555/ABC.123", "10.5555/abc.123"),
        ("doi", "doi: 10.5555/abc.123.", "10.5555/abc.123"),
        ("doi", "http://dx.doi.org/10.5555/a%2Fb", "10.5555/a/b"),
        ("doi", "10.5555/abc(2021)1)", "10.5555/abc(2021)1"),
        ("pmid", "PMID: 0034567890", "34567890"),
        ("pmcid", "pmc8123456", "PMC8123456"),
        ("pmcid", "8123456", "PMC8123456"),
        ("nct", "nct04512345", "NCT04512345"),
        ("arxiv", "arXiv:2405.11873v3", "2405.11873"),
        ("arxiv", "hep-th/9901001", "hep-th/9901001"),
        ("url", "HTTPS://Example.ORG:443/a/b/?q=1#frag", "https://example.org/a/b?q=1"),
        ("url", "http://example.org", "http://example.org/"),
        ("url", "http://example.org:8080/x/.", "http://example.org:8080/x"),
        ("author-year", "Haddad et al. (2021)", "haddad 2021"),
        ("author-year", "(Sørensen & Gupta, 2024a)", "sorensen 2024"),
        ("author-year", "O’Donnell and Halvorsen 2022", "o'donnell 2022"),
        ("author-year", "van der Berg J, Smith K. A title. 2019", "van der berg 2019"),
        ("title", "  Magnesium: A Trial — of Sleep!  ", "magnesium a trial of sleep"),
    ],
)
def test_normal_forms(kind, raw, expected):
    assert normalize(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        ("doi", "banana", "not a valid DOI"),
        ("doi", "11.5555/x", "not a valid DOI"),
        ("pmid", "12a", "not a valid PMID"),
        ("pmcid", "PMCX1", "not a valid PMCID"),
        ("nct", "NCT1234567", "NCT + 8 digits"),
        ("arxiv", "2405.1", "not a valid arXiv id"),
        ("url", "ftp://example.org/x", "not an absolute http(s) URL"),
        ("url", "/relative", "not an absolute http(s) URL"),
        ("author-year", "Haddad et al.", "no year"),
        ("title", "!!!", "empty title"),
        ("isbn", "123", "unknown identifier kind"),
    ],
)
def test_invalid_identifiers(kind, raw, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        normalize(kind, raw)


def test_author_year_from_library_fields():
    assert author_year("Haddad R, Okonkwo L, Berg S", "2021") == "haddad 2021"
    assert author_year("Park J-H, Lee K", 2024) == "park 2024"
    assert author_year("Helix Ridge Therapeutics (sponsor)", "2024-03") == "helix ridge therapeutics 2024"
    assert author_year("", "2021") is None
    assert author_year("Haddad R", "unknown") is None


def test_url_aliases_for_well_known_sites():
    assert url_aliases("https://doi.org/10.5555/ABC") == [("doi", "10.5555/abc")]
    assert url_aliases("https://pubmed.ncbi.nlm.nih.gov/34567890/") == [("pmid", "34567890")]
    assert url_aliases("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC8123456/") == [("pmcid", "PMC8123456")]
    assert url_aliases("https://clinicaltrials.gov/study/NCT04512345") == [("nct", "NCT04512345")]
    assert url_aliases("https://arxiv.org/abs/2405.11873v2") == [("arxiv", "2405.11873")]
    assert url_aliases("https://arxiv.org/pdf/2405.11873.pdf") == [("arxiv", "2405.11873")]
    assert url_aliases("https://example.org/10.5555/abc") == []


@pytest.fixture
def services(server, reply):
    """Base URLs of fake services; tests register the answers they need."""
    base = server.url
    return {
        "crossref": base + "/crossref",
        "europepmc": base + "/europepmc",
        "clinicaltrials": base + "/ctgov",
        "arxiv": base + "/arxiv",
        "doi.org": base + "/doi",
    }


@pytest.fixture
def cache(tmp_path) -> SourceCache:
    return SourceCache(tmp_path / "sources.sqlite")


@pytest.fixture
def make(client, services, cache):
    def make_resolver(library=None, online=True, cache=cache):
        return SourceResolver(library, cache, default_resolvers(client, services), online)

    return make_resolver


def europepmc(reply, known):
    def search(seen):
        query = seen.query["query"][0]
        return reply(json.dumps(HIT if query in known else EMPTY), content_type=JSON)

    return search


def test_library_comes_first_and_nothing_is_fetched(server, make):
    resolver = make(library=SourceLibrary([DATA]))
    result = resolver.resolve("doi", "https://doi.org/10.5555/JCOMPHEALTH.2022.0309")
    assert result.key == "doi:10.5555/jcomphealth.2022.0309"
    assert result.source.origin == "library"
    assert result.reason == ""
    assert server.requests == []


def test_offline_miss_says_how_to_fetch(server, make):
    result = make(online=False).resolve("doi", DOI)
    assert (result.key, result.source, result.reason) == (f"doi:{DOI}", None, OFFLINE_REASON)
    assert result.reason == "not in the local library or cache (use --online to fetch)"
    assert server.requests == []


def test_metadata_from_crossref_text_from_europepmc_then_cached(server, reply, make, cache):
    server.route(f"/crossref/works/{DOI}", reply(json.dumps(WORK), content_type=JSON))
    server.route("/europepmc/search", europepmc(reply, {f'DOI:"{DOI}"'}))
    resolver = make()
    result = resolver.resolve("doi", DOI.upper())
    source = result.source
    assert result.reason == ""
    assert source.title == "Magnesium glycinate and sleep quality in older adults"  # Crossref's
    assert source.text == "Sleep onset latency fell by 4.1 minutes (p = 0.21)."  # Europe PMC's
    assert source.origin == "europepmc"
    assert source.identifiers["pmid"] == "34567890"
    assert source.identifiers["doi"] == DOI
    assert server.paths() == [f"/crossref/works/{DOI}", "/europepmc/search"]  # doi.org not needed
    assert cache.get("doi", DOI).source == source

    assert resolver.resolve("doi", f"doi:{DOI}") is result  # memoised
    later = make(online=False).resolve("doi", DOI)  # a later run, offline: from the cache
    assert later.source == source
    assert len(server.requests) == 2


def test_doi_landing_page_when_no_service_has_text(server, reply, make):
    work = json.loads(json.dumps(WORK))
    server.route(f"/crossref/works/{DOI}", reply(json.dumps(work), content_type=JSON))
    server.route("/europepmc/search", europepmc(reply, set()))
    server.route(f"/doi/{DOI}", reply(status=302, headers={"Location": "/landing"}))
    server.route(
        "/landing",
        reply("<html><body><article><p>Magnesium shortened sleep onset latency by 4.1 minutes.</p></article></body>"),
    )
    source = make().resolve("doi", DOI).source
    assert source.text == "Magnesium shortened sleep onset latency by 4.1 minutes."
    assert source.title == "Magnesium glycinate and sleep quality in older adults"
    assert source.origin == "web"
    assert source.identifiers["url"] == server.url + "/landing"


def test_record_without_text_is_returned_with_a_note(server, reply, make):
    server.route(f"/crossref/works/{DOI}", reply(json.dumps(WORK), content_type=JSON))
    server.route("/europepmc/search", europepmc(reply, set()))
    result = make().resolve("doi", DOI)
    assert result.source is not None and result.source.text == ""
    assert result.reason == "crossref: found the record, but no abstract or text to check against"


def test_not_found_anywhere_is_cached_as_negative(server, reply, make, cache):
    server.route("/europepmc/search", europepmc(reply, set()))
    result = make().resolve("doi", "10.5555/missing")
    assert result.source is None
    assert result.reason == ("crossref: HTTP 404; europepmc: no record for doi 10.5555/missing; doi.org: HTTP 404")
    assert cache.get("doi", "10.5555/missing").reason == result.reason
    asked = len(server.requests)
    again = make().resolve("doi", "10.5555/missing")  # a new run does not ask again
    assert again.source is None
    assert again.reason.startswith("crossref: HTTP 404;") and "(cached 20" in again.reason
    assert len(server.requests) == asked == 3


def test_transient_failures_are_not_cached(server, reply, make, cache):
    server.route("/crossref/works/10.5555/flaky", reply("busy", status=503, content_type="text/plain"))
    server.route("/europepmc/search", europepmc(reply, set()))
    result = make().resolve("doi", "10.5555/flaky")
    assert result.source is None
    assert result.reason.startswith("crossref: HTTP 503;")
    assert cache.get("doi", "10.5555/flaky") is None


def test_unexpected_response_shape_does_not_crash(server, reply, make, cache):
    weird = {"message": {"title": 5, "author": "nobody", "issued": "someday"}}
    server.route("/crossref/works/10.5555/weird", reply(json.dumps(weird), content_type=JSON))
    server.route("/europepmc/search", reply(json.dumps({"resultList": "nope"}), content_type=JSON))
    result = make().resolve("doi", "10.5555/weird")
    assert result.source is None
    assert "crossref: unexpected response (AttributeError)" in result.reason
    assert cache.get("doi", "10.5555/weird") is None


def test_pubmed_link_goes_through_europepmc(server, reply, make):
    server.route("/europepmc/search", europepmc(reply, {"EXT_ID:34567890 AND SRC:MED"}))
    result = make().resolve("url", "https://pubmed.ncbi.nlm.nih.gov/34567890/")
    assert result.key == "url:https://pubmed.ncbi.nlm.nih.gov/34567890"
    assert result.source.origin == "europepmc"
    assert server.paths() == ["/europepmc/search"]


def test_doi_link_is_found_in_the_library_offline(make):
    resolver = make(library=SourceLibrary([DATA]), online=False)
    result = resolver.resolve("url", "https://doi.org/10.5555/jcomphealth.2022.0309")
    assert result.source is not None and result.source.origin == "library"


def test_trial_and_preprint_kinds_use_their_services(server, reply, make):
    trial = {
        "protocolSection": {
            "identificationModule": {"nctId": "NCT04512345", "briefTitle": "Magnesium for sleep"},
            "descriptionModule": {"briefSummary": "Tests magnesium for sleep onset."},
        }
    }
    server.route("/ctgov/studies/NCT04512345", reply(json.dumps(trial), content_type=JSON))
    result = make().resolve("nct", "nct04512345")
    assert result.source.origin == "clinicaltrials"
    assert result.source.text == "Tests magnesium for sleep onset."
    empty_feed = reply("<feed xmlns='http://www.w3.org/2005/Atom'/>", content_type="application/atom+xml")
    server.route("/arxiv/api/query", empty_feed)
    assert make().resolve("arxiv", "2405.11873").reason == "arxiv: no arXiv record for 2405.11873"


def test_invalid_and_unsupported_identifiers_get_reasons(server, make):
    resolver = make()
    assert resolver.resolve("doi", "banana").reason == "not a valid DOI: 'banana'"
    assert resolver.resolve("isbn", "978").reason.startswith("unknown identifier kind 'isbn'")
    assert resolver.resolve("author-year", "Haddad 2021").reason == (
        "not in the local library or cache; no online lookup for author-year references"
    )
    assert server.requests == []


def test_ambiguous_author_year_is_explained(tmp_path, make):
    (tmp_path / "a.md").write_text("---\ntitle: A\nauthors: Smith J\nyear: 2020\n---\nOne.\n")
    (tmp_path / "b.md").write_text("---\ntitle: B\nauthors: Smith P\nyear: 2020\n---\nTwo.\n")
    result = make(library=SourceLibrary([tmp_path]), online=False).resolve("author-year", "Smith et al. 2020")
    assert result.source is None
    assert result.reason == "ambiguous: 2 library sources match 'smith 2020' (a.md, b.md); cite a DOI or PMID"


def test_a_broken_cache_does_not_stop_resolution(tmp_path, make):
    broken = tmp_path / "broken.sqlite"
    broken.write_bytes(b"garbage" * 1000)
    resolver = make(library=SourceLibrary([DATA]), online=False, cache=SourceCache(broken))
    assert resolver.resolve("pmid", "93310458").source is not None
    missing = resolver.resolve("pmid", "1")
    assert missing.reason == OFFLINE_REASON
    assert len(resolver.warnings) == 1 and "delete the file" in resolver.warnings[0]


def test_concurrent_lookups_agree(server, reply, make):
    server.route(f"/crossref/works/{DOI}", reply(json.dumps(WORK), content_type=JSON))
    server.route("/europepmc/search", europepmc(reply, {f'DOI:"{DOI}"'}))
    resolver = make()
    results = []
    threads = [threading.Thread(target=lambda: results.append(resolver.resolve("doi", DOI))) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 6
    assert {r.source.text for r in results} == {"Sleep onset latency fell by 4.1 minutes (p = 0.21)."}


def test_build_resolver_from_settings(tmp_path):
    settings = Settings(source_dirs=(DATA,), cache_dir=tmp_path / "cache")
    resolver = build_resolver(settings)
    assert resolver.online is False and resolver.resolvers == ()
    assert resolver.cache.path == tmp_path / "cache" / "sources.sqlite"
    assert resolver.resolve("nct", "NCT09481276").source.origin == "library"
    assert resolver.resolve("doi", "10.5555/nowhere").reason == OFFLINE_REASON

    online = build_resolver(settings.with_overrides(online=True))
    assert online.online is True
    assert [r.name for r in online.resolvers] == ["crossref", "europepmc", "clinicaltrials", "arxiv", "web", "doi.org"]
    assert build_resolver(settings.with_overrides(online=True), online=False).online is False
    assert build_resolver(Settings(cache_dir=tmp_path)).library is None


def test_parts_are_importable_from_the_package():
    import claimcheck.sources as sources
    from claimcheck.sources.cache import CacheEntry
    from claimcheck.sources.http import FetchError, SafeClient

    assert sources.FetchError is FetchError
    assert sources.SafeClient is SafeClient
    assert sources.SourceLibrary is SourceLibrary
    assert sources.SourceCache is SourceCache
    assert sources.CacheEntry is CacheEntry
    with pytest.raises(AttributeError):
        _ = sources.NoSuchThing
