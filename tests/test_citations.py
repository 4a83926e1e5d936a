from claimcheck.citations import extract_citations, sources_for_sentences
from claimcheck.load import load_text
from claimcheck.locate import LineIndex
from claimcheck.schema import Sentence
from claimcheck.segment import segment_document

ARTICLE = """# Sleep and magnesium

A trial of 46 adults found faster sleep onset [1]. Another cohort reported fewer awakenings.2

Haddad et al. (2021), writing in Sleep Medicine Reports, saw a 17-minute gain.

The drug is being tested in NCT09123456 and was described in PMID: 91234567.
See also https://journals.example.org/paper and arXiv:2405.11873v2 and PMC1234567.

## References

1. Haddad R, Berg S. Magnesium and sleep. Sleep Med Rep. 2021;4:1-9. doi:10.5555/sleepmed.2021.0142
2. Okafor N. Awakenings. J Sleep. 2020. https://doi.org/10.5555/jsleep.2020.0007
"""


def _sentences(doc):
    lines = LineIndex(doc.source)
    out = []
    for i, seg in enumerate(segment_document(doc)):
        line, col = lines.line_col(seg.start)
        out.append(Sentence(i, seg.text, "finding", 1.0, {}, seg.start, seg.end, line, col, seg.kind, seg.block_index))
    return out


def test_every_identifier_kind_is_found():
    doc = load_text(ARTICLE, "markdown")
    found = {(c.kind, c.identifier) for c in extract_citations(doc)}
    assert ("doi", "10.5555/sleepmed.2021.0142") in found
    assert ("doi", "10.5555/jsleep.2020.0007") in found
    assert ("nct", "NCT09123456") in found
    assert ("pmid", "91234567") in found
    assert ("pmcid", "PMC1234567") in found
    assert ("arxiv", "2405.11873") in found
    assert ("url", "https://journals.example.org/paper") in found
    assert ("author-year", "haddad 2021") in found
    assert ("marker", "1") in found and ("marker", "2") in found


def test_citations_carry_line_and_column():
    doc = load_text(ARTICLE, "markdown")
    nct = next(c for c in extract_citations(doc) if c.kind == "nct")
    line = ARTICLE.splitlines()[nct.line - 1]
    assert line[nct.column - 1 :].startswith("NCT09123456")


def test_markers_link_sentences_to_their_reference_entry():
    doc = load_text(ARTICLE, "markdown")
    sentences = _sentences(doc)
    links = sources_for_sentences(doc, sentences, extract_citations(doc))
    first = next(s for s in sentences if s.text.startswith("A trial of 46"))
    second = next(s for s in sentences if s.text.startswith("Another cohort"))
    assert links[first.index][0].key == "doi:10.5555/sleepmed.2021.0142"
    assert links[second.index][0].key == "doi:10.5555/jsleep.2020.0007"
    author = next(s for s in sentences if s.text.startswith("Haddad et al."))
    assert ("author-year", "haddad 2021") in links[author.index][0].candidates


def test_uncited_sentence_in_an_article_without_sources_has_no_link():
    doc = load_text("# Title\n\nEight of ten patients improved.\n", "markdown")
    sentences = _sentences(doc)
    assert sources_for_sentences(doc, sentences, extract_citations(doc)) == {}
