"""Online resolvers against fake Crossref, Europe PMC, ClinicalTrials.gov, arXiv and web
servers on loopback, answering in the shapes the real services use."""

from __future__ import annotations

import json

import pytest

from claimcheck.sources.http import FetchError
from claimcheck.sources.online import (
    ArxivResolver,
    ClinicalTrialsResolver,
    CrossrefResolver,
    DoiLandingResolver,
    EuropePmcResolver,
    WebResolver,
    default_resolvers,
    strip_markup,
)

pytestmark = pytest.mark.network

DOI = "10.5555/jsleepres.2021.0142"
JSON = "application/json;charset=utf-8"

CROSSREF_WORK = {
    "status": "ok",
    "message-type": "work",
    "message-version": "1.0.0",
    "message": {
        "DOI": "10.5555/JSLEEPRES.2021.0142",
        "type": "journal-article",
        "title": ["Magnesium glycinate and sleep quality in older adults: a randomised trial"],
        "abstract": (
            "<jats:title>Abstract</jats:title><jats:sec><jats:title>Background</jats:title>"
            "<jats:p>Poor sleep is common in older adults &amp; magnesium is widely sold as "
            "a remedy.</jats:p></jats:sec><jats:sec><jats:title>Results</jats:title>"
            "<jats:p>Sleep onset latency fell by <jats:italic>4.1 minutes</jats:italic> "
            "(p = 0.21).</jats:p></jats:sec>"
        ),
        "author": [
            {"given": "Rania", "family": "Haddad", "sequence": "first", "affiliation": []},
            {"given": "Lola", "family": "Okonkwo", "sequence": "additional", "affiliation": []},
        ],
        "container-title": ["Journal of Sleep Research"],
        "issued": {"date-parts": [[2021, 6, 14]]},
        "URL": "https://doi.org/10.5555/jsleepres.2021.0142",
    },
}

EUROPEPMC_HIT = {
    "version": "6.9",
    "hitCount": 1,
    "request": {"queryString": "EXT_ID:34567890 AND SRC:MED", "resultType": "core"},
    "resultList": {
        "result": [
            {
                "id": "34567890",
                "source": "MED",
                "pmid": "34567890",
                "pmcid": "PMC8123456",
                "doi": DOI,
                "title": "Magnesium glycinate and sleep quality in older adults: a randomised trial.",
                "authorString": "Haddad R, Okonkwo L, Berg S.",
                "journalInfo": {"journal": {"title": "Journal of Sleep Research"}},
                "pubYear": "2021",
                "abstractText": "<h4>Background</h4>Poor sleep is common in older adults."
                "<h4>Results</h4>Sleep onset latency fell by 4.1 minutes "
                "(<i>p</i> = 0.21).",
            }
        ]
    },
}
EUROPEPMC_EMPTY = {"version": "6.9", "hitCount": 0, "resultList": {"result": []}}

TRIAL = {
    "protocolSection": {
        "identificationModule": {
            "nctId": "NCT04512345",
            "briefTitle": "Magnesium Glycinate for Sleep in Older Adults",
            "officialTitle": "A Randomised, Double-blind Trial of Magnesium Glycinate 250 mg "
            "for Insomnia Symptoms in Adults Aged 65 and Over",
        },
        "statusModule": {"overallStatus": "COMPLETED", "startDateStruct": {"date": "2020-02"}},
        "sponsorCollaboratorsModule": {"leadSponsor": {"name": "Northbridge University", "class": "OTHER"}},
        "descriptionModule": {
            "briefSummary": "This trial tests whether magnesium glycinate shortens the time taken to fall asleep.",
            "detailedDescription": "Participants take one capsule nightly for 8 weeks.",
        },
        "conditionsModule": {"conditions": ["Insomnia", "Aging"]},
        "designModule": {
            "studyType": "INTERVENTIONAL",
            "phases": ["PHASE2"],
            "designInfo": {"allocation": "RANDOMIZED", "maskingInfo": {"masking": "QUADRUPLE"}},
            "enrollmentInfo": {"count": 120, "type": "ACTUAL"},
        },
        "armsInterventionsModule": {
            "armGroups": [
                {"label": "Magnesium", "type": "EXPERIMENTAL", "description": "250 mg elemental magnesium nightly"},
                {"label": "Placebo", "type": "PLACEBO_COMPARATOR", "description": "Matching capsule"},
            ],
            "interventions": [
                {"type": "DIETARY_SUPPLEMENT", "name": "Magnesium glycinate", "description": "250 mg capsule"}
            ],
        },
        "outcomesModule": {
            "primaryOutcomes": [
                {
                    "measure": "Sleep onset latency (minutes)",
                    "timeFrame": "8 weeks",
                    "description": "Measured by actigraphy",
                }
            ],
            "secondaryOutcomes": [{"measure": "Pittsburgh Sleep Quality Index", "timeFrame": "8 weeks"}],
        },
    },
    "hasResults": False,
}

ARXIV_FEED = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <link href="http://arxiv.org/api/query?id_list=2405.11873" rel="self"
        type="application/atom+xml"/>
  <title type="html">ArXiv Query: search_query=&amp;id_list=2405.11873</title>
  <id>http://arxiv.org/api/cHxbiOdZaP56ODnBPIenZhzg5f8</id>
  <updated>2024-05-21T00:00:00-04:00</updated>
  <opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
    >1</opensearch:totalResults>
  <entry>
    <id>http://arxiv.org/abs/2405.11873v2</id>
    <updated>2024-05-20T17:59:59Z</updated>
    <published>2024-05-19T17:59:59Z</published>
    <title>A sulfide solid electrolyte with
      stable cycling at 4.5 V</title>
    <summary>  We report a sulfide electrolyte that retained 91% of capacity
      after 800 cycles in coin cells.
    </summary>
    <author><name>Hana M. Kowalski</name></author>
    <author><name>Tomas Rey</name></author>
    <arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.5555/batt.2024.77</arxiv:doi>
    <link href="http://arxiv.org/abs/2405.11873v2" rel="alternate" type="text/html"/>
    <arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="cond-mat"/>
  </entry>
</feed>
"""

ARXIV_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="html">ArXiv Query: search_query=&amp;id_list=9999.99999</title>
  <entry>
    <id>http://arxiv.org/api/errors#incorrect_id_format_for_9999.99999</id>
    <title>Error</title>
    <summary>incorrect id format for 9999.99999</summary>
  </entry>
</feed>
"""

ARTICLE_PAGE = f"""<!doctype html><html><head>
<title>Magnesium and sleep | Journal of Sleep Research</title>
<meta name="citation_title" content="Magnesium glycinate and sleep quality in older adults">
<meta name="citation_doi" content="{DOI}">
<meta name="citation_author" content="Haddad, Rania">
<meta name="citation_journal_title" content="Journal of Sleep Research">
<meta name="citation_publication_date" content="2021/06/14">
</head><body>
<nav><a href="/">Home</a> <a href="/issues">Issues</a> <a href="/login">Sign in</a></nav>
<main><article>
<h1>Magnesium glycinate and sleep quality in older adults</h1>
<p>In this randomised trial of 120 adults aged 65 and over, magnesium glycinate shortened
sleep onset latency by 4.1 minutes compared with placebo, a difference that was not
statistically significant (p = 0.21).</p>
<p>Total sleep time and the Pittsburgh Sleep Quality Index did not differ between the
groups after eight weeks of treatment.</p>
</article></main>
<footer>Copyright 2021 Example Publishing. All rights reserved.</footer>
</body></html>"""

AD_PAGE = """<html><head><title>You won't BELIEVE this sleep trick</title>
<script>window.adsbygoogle = window.adsbygoogle || []; trackVisitor("secret-token");</script>
<style>.banner { color: red }</style></head><body>
<div class="ad-banner"><a href="https://ads.example/click?id=1">BUY NOW - 70% OFF</a></div>
<div class="sidebar"><iframe src="https://ads.example/frame"></iframe></div>
<div class="content"><p>Doctors hate this one simple trick that helps you sleep in
minutes. Our gummies are clinically proven to transform your nights!</p></div>
<div class="popup"><button>Subscribe</button></div>
<script>showPopup();</script></body></html>"""


def test_strip_markup_removes_jats_and_html():
    text = strip_markup(
        "<jats:title>Abstract</jats:title><jats:sec><jats:title>Methods"
        "</jats:title><jats:p>A &lt; B in <jats:italic>vitro</jats:italic>"
        "</jats:p></jats:sec><h4>Results</h4>x (<i>p</i> = 0.2)<br/>y"
    )
    assert text == "Methods\nA < B in vitro\nResults\nx (p = 0.2)\ny"


def test_crossref_work(server, client, reply):
    server.route(f"/works/{DOI}", reply(json.dumps(CROSSREF_WORK), content_type=JSON))
    source = CrossrefResolver(client, server.url).fetch("doi", DOI)
    assert source.origin == "crossref"
    assert source.key == f"doi:{DOI}"
    assert source.title.startswith("Magnesium glycinate and sleep quality")
    assert "Poor sleep is common in older adults & magnesium" in source.text
    assert "4.1 minutes (p = 0.21)" in source.text
    assert "<jats" not in source.text
    assert source.identifiers["author-year"] == "haddad 2021"
    assert source.identifiers["authors"] == "Haddad R, Okonkwo L"
    assert source.identifiers["journal"] == "Journal of Sleep Research"
    assert server.requests[0].headers["Accept"] == "application/json"


def test_crossref_without_abstract_gives_metadata_only(server, client, reply):
    work = json.loads(json.dumps(CROSSREF_WORK))
    del work["message"]["abstract"]
    server.route(f"/works/{DOI}", reply(json.dumps(work), content_type=JSON))
    source = CrossrefResolver(client, server.url).fetch("doi", DOI)
    assert source.text == ""
    assert source.title


def test_crossref_unknown_doi_is_http_404(server, client, reply):
    # Crossref answers an unknown DOI with a plain-text 404
    server.route("/works/10.5555/missing", reply("Resource not found.", status=404, content_type="text/plain"))
    with pytest.raises(FetchError) as caught:
        CrossrefResolver(client, server.url).fetch("doi", "10.5555/missing")
    assert caught.value.reason == "HTTP 404"
    assert not caught.value.transient


def test_crossref_malformed_json(server, client, reply):
    server.route(f"/works/{DOI}", reply("{not json", content_type=JSON))
    with pytest.raises(FetchError, match="not valid JSON"):
        CrossrefResolver(client, server.url).fetch("doi", DOI)


@pytest.fixture
def europepmc(server, reply):
    """A fake Europe PMC that knows one article by PMID, PMCID or DOI."""
    known = {"EXT_ID:34567890 AND SRC:MED", "PMCID:PMC8123456", f'DOI:"{DOI}"'}

    def search(seen):
        query = seen.query.get("query", [""])[0]
        if seen.query.get("format") != ["json"] or seen.query.get("resultType") != ["core"]:
            return reply("bad request", status=400, content_type="text/plain")
        body = EUROPEPMC_HIT if query in known else EUROPEPMC_EMPTY
        return reply(json.dumps(body), content_type="application/json")

    server.route("/europepmc/search", search)
    return server.url + "/europepmc"


@pytest.mark.parametrize(
    ("kind", "identifier", "query"),
    [
        ("pmid", "34567890", "EXT_ID:34567890 AND SRC:MED"),
        ("pmcid", "PMC8123456", "PMCID:PMC8123456"),
        ("doi", DOI, f'DOI:"{DOI}"'),
    ],
)
def test_europepmc_finds_by_each_identifier(server, client, europepmc, kind, identifier, query):
    source = EuropePmcResolver(client, europepmc).fetch(kind, identifier)
    assert server.requests[0].query["query"] == [query]
    assert source.origin == "europepmc"
    assert source.key == f"doi:{DOI}"
    assert source.identifiers["pmid"] == "34567890"
    assert source.identifiers["pmcid"] == "PMC8123456"
    assert source.identifiers["author-year"] == "haddad 2021"
    assert source.text == (
        "Background\nPoor sleep is common in older adults.\n"
        "Results\nSleep onset latency fell by 4.1 minutes (p = 0.21)."
    )
    assert source.title.endswith("a randomised trial.")


def test_europepmc_no_hits(client, europepmc):
    with pytest.raises(FetchError, match="no record for pmid 11111111"):
        EuropePmcResolver(client, europepmc).fetch("pmid", "11111111")


def test_clinicaltrials_record_becomes_readable_text(server, client, reply):
    server.route("/api/v2/studies/NCT04512345", reply(json.dumps(TRIAL), content_type=JSON))
    source = ClinicalTrialsResolver(client, server.url + "/api/v2").fetch("nct", "NCT04512345")
    assert source.origin == "clinicaltrials"
    assert source.key == "nct:NCT04512345"
    assert source.title == "Magnesium Glycinate for Sleep in Older Adults"
    text = source.text
    assert "shortens the time taken to fall asleep" in text
    assert "Participants take one capsule nightly for 8 weeks." in text
    assert "Enrollment: 120 participants (actual)." in text
    assert "Design: phase2, interventional, randomized, quadruple." in text
    assert "Arm: Placebo (placebo comparator). Matching capsule" in text
    assert "Intervention: Magnesium glycinate. 250 mg capsule" in text
    assert "Primary outcome: Sleep onset latency (minutes) (time frame: 8 weeks)." in text
    assert "Secondary outcome: Pittsburgh Sleep Quality Index" in text
    assert source.identifiers["author-year"] == "northbridge university 2020"


def test_clinicaltrials_unknown_trial(server, client):
    with pytest.raises(FetchError, match="HTTP 404"):
        ClinicalTrialsResolver(client, server.url).fetch("nct", "NCT00000000")


def test_arxiv_atom_entry(server, client, reply):
    server.route("/api/query", reply(ARXIV_FEED, content_type="application/atom+xml"))
    source = ArxivResolver(client, server.url).fetch("arxiv", "2405.11873")
    assert server.requests[0].query["id_list"] == ["2405.11873"]
    assert source.origin == "arxiv"
    assert source.title == "A sulfide solid electrolyte with stable cycling at 4.5 V"
    assert source.text == (
        "We report a sulfide electrolyte that retained 91% of capacity after 800 cycles in coin cells."
    )
    assert source.identifiers["authors"] == "Kowalski HM, Rey T"
    assert source.identifiers["author-year"] == "kowalski 2024"
    assert source.identifiers["doi"] == "10.5555/batt.2024.77"
    assert source.location == "https://arxiv.org/abs/2405.11873"


@pytest.mark.parametrize("body", [ARXIV_ERROR, "<feed xmlns='http://www.w3.org/2005/Atom'/>"])
def test_arxiv_error_or_empty_feed(server, client, reply, body):
    server.route("/api/query", reply(body, content_type="application/atom+xml"))
    with pytest.raises(FetchError, match="no arXiv record"):
        ArxivResolver(client, server.url).fetch("arxiv", "9999.99999")


def test_arxiv_malformed_xml(server, client, reply):
    server.route("/api/query", reply("<feed><entry>", content_type="application/atom+xml"))
    with pytest.raises(FetchError, match="malformed XML"):
        ArxivResolver(client, server.url).fetch("arxiv", "2405.11873")


def test_web_page_main_text_and_citation_meta(server, client, reply):
    url = server.route("/article", reply(ARTICLE_PAGE))
    source = WebResolver(client).fetch("url", url)
    assert source.origin == "web"
    assert source.key == f"doi:{DOI}"  # the page names its DOI, so it meets other citations
    assert source.title == "Magnesium glycinate and sleep quality in older adults"
    assert "magnesium glycinate shortened sleep onset latency by 4.1 minutes" in source.text
    assert "Pittsburgh Sleep Quality Index did not differ" in source.text
    assert "Sign in" not in source.text
    assert source.identifiers["url"] == url
    assert source.identifiers["year"] == "2021"
    assert source.identifiers["authors"] == "Haddad R"
    assert source.identifiers["author-year"] == "haddad 2021"


def test_ad_page_as_a_source_gives_text_without_crashing(server, client, reply):
    url = server.route("/ad", reply(AD_PAGE))
    source = WebResolver(client).fetch("url", url)
    assert "Doctors hate this one simple trick" in source.text
    assert "trackVisitor" not in source.text
    assert "color: red" not in source.text
    assert source.title == "You won't BELIEVE this sleep trick"
    assert source.key == f"url:{url}"


def test_binary_garbage_labelled_as_html_is_refused(server, client, reply):
    garbage = bytes((i * 37 + 11) % 256 for i in range(5000))
    url = server.route("/garbage", reply(garbage, content_type="text/html"))
    with pytest.raises(FetchError, match="binary data"):
        WebResolver(client).fetch("url", url)


def test_empty_page_has_no_readable_text(server, client, reply):
    url = server.route("/empty", reply("<html><body><script>x()</script></body></html>"))
    with pytest.raises(FetchError, match="no readable text"):
        WebResolver(client).fetch("url", url)


def test_json_is_not_a_web_page(server, client, reply):
    url = server.route("/api", reply("{}", content_type="application/json"))
    with pytest.raises(FetchError, match=r"not a web page \(application/json\)"):
        WebResolver(client).fetch("url", url)


def test_pdf_url_gives_its_text(server, client, reply, make_pdf):
    url = server.route(
        "/paper.pdf",
        reply(
            make_pdf("Sleep onset latency fell by 4.1 minutes", title="Magnesium trial"), content_type="application/pdf"
        ),
    )
    source = WebResolver(client).fetch("url", url)
    assert source.text == "Sleep onset latency fell by 4.1 minutes"
    assert source.title == "Magnesium trial"


def test_doi_landing_page_follows_the_redirect(server, client, reply):
    landing = server.route("/landing/0142", reply(ARTICLE_PAGE))
    server.route(f"/doi/{DOI}", reply(status=302, headers={"Location": "/landing/0142"}))
    source = DoiLandingResolver(client, server.url + "/doi").fetch("doi", DOI)
    assert source.origin == "web"
    assert source.identifiers["doi"] == DOI
    assert source.identifiers["url"] == landing
    assert source.location == landing
    assert "Pittsburgh Sleep Quality Index did not differ" in source.text


def test_default_resolvers_cover_each_kind_in_order(client):
    resolvers = default_resolvers(client, {"crossref": "http://127.0.0.1:1"})
    by_kind = {
        kind: [r.name for r in resolvers if kind in r.kinds] for kind in ("doi", "pmid", "pmcid", "nct", "arxiv", "url")
    }
    assert by_kind == {
        "doi": ["crossref", "europepmc", "doi.org"],
        "pmid": ["europepmc"],
        "pmcid": ["europepmc"],
        "nct": ["clinicaltrials"],
        "arxiv": ["arxiv"],
        "url": ["web"],
    }
    assert resolvers[0].base_url == "http://127.0.0.1:1"
