"""The local source library: front matter, sidecars, HTML and PDF files, skipping, adding."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from claimcheck.errors import ClaimcheckError
from claimcheck.sources.library import SourceLibrary, split_front_matter

DATA = Path(__file__).resolve().parents[2] / "data" / "sources"


@pytest.fixture(scope="module")
def real_library() -> SourceLibrary:
    return SourceLibrary([DATA])


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_loads_every_file_of_the_real_library(real_library):
    entries = real_library.entries()
    assert len(entries) == len(list(DATA.glob("*.md"))) == 22
    assert real_library.skipped == ()
    assert real_library.warnings == ()
    assert all(e.origin == "library" and e.text and e.title for e in entries)


def test_finds_a_real_source_by_doi(real_library):
    source = real_library.lookup("doi", "10.5555/jcomphealth.2022.0309")
    assert source is not None
    assert source.title.startswith("Standardised ashwagandha root extract and perceived stress in adults: an 8-week")
    assert source.key == "doi:10.5555/jcomphealth.2022.0309"
    assert source.location.endswith("ashwagandha-perceived-stress-pilot.md")
    assert source.text.startswith("**Background:** Ashwagandha")  # the body, without the header
    assert "pmid:" not in source.text and "---" not in source.text
    assert source.identifiers["pmid"] == "93310458"
    assert source.identifiers["journal"] == "Journal of Complementary Health Research"


@pytest.mark.parametrize(
    ("kind", "identifier", "file"),
    [
        ("doi", "https://doi.org/10.5555/JCOMPHEALTH.2022.0309", "ashwagandha-perceived-stress-pilot.md"),
        ("pmid", "PMID: 92145530", "collagen-peptides-knee-oa-trial.md"),
        ("nct", "nct09481276", "collagen-peptides-knee-oa-trial.md"),
        ("arxiv", "arXiv:2403.07219v2", "ai-chest-radiograph-triage-preprint.md"),
        ("url", "https://arxiv.example.org/abs/2403.07219/", "ai-chest-radiograph-triage-preprint.md"),
        ("author-year", "Moreau et al. (2022)", "collagen-peptides-knee-oa-trial.md"),
        ("author-year", "(Iyer, Castellanos and Whitfield, 2022)", "ashwagandha-perceived-stress-pilot.md"),
        (
            "title",
            "ORAL COLLAGEN PEPTIDES for knee osteoarthritis pain — a 24-week randomised, double-blind, "
            "placebo-controlled trial.",
            "collagen-peptides-knee-oa-trial.md",
        ),
    ],
)
def test_indexes_every_identifier(real_library, kind, identifier, file):
    source = real_library.lookup(kind, identifier)
    assert source is not None and source.location.endswith(file)


def test_a_reference_entry_containing_a_title_finds_it(real_library):
    entry = (
        "3. Moreau C, Adeyemi F, Sato K, Brennan D. Oral collagen peptides for knee osteoarthritis pain: "
        "a 24-week randomised, double-blind, placebo-controlled trial. Clin Rheumatol Pract. 2022;14:211-9."
    )
    source = real_library.lookup("title", entry)
    assert source is not None and source.location.endswith("collagen-peptides-knee-oa-trial.md")
    assert real_library.lookup("title", "Oral collagen peptides for knee pain. 2022") is None


def test_short_titles_only_match_exactly(tmp_path):
    write(tmp_path / "e.md", "---\ntitle: Editorial\n---\nText.\n")
    library = SourceLibrary([tmp_path])
    assert library.lookup("title", "editorial") is not None
    assert library.lookup("title", "Smith J. Editorial. Lancet. 2020") is None


def test_titles_with_colons_survive_the_header(real_library):
    source = real_library.lookup("nct", "NCT09481276")
    assert source.title == (
        "Oral collagen peptides for knee osteoarthritis pain: a 24-week randomised, double-blind, "
        "placebo-controlled trial"
    )


def test_organisation_authors_get_an_author_year_key(real_library):
    keys = {e.identifiers.get("author-year") for e in real_library.entries()}
    assert "helix ridge therapeutics 2024" in keys
    assert "haddad 2021" in keys


def test_unknown_or_invalid_identifiers_find_nothing(real_library):
    assert real_library.lookup("doi", "10.5555/not.in.library") is None
    assert real_library.lookup("doi", "not a doi") is None
    assert real_library.lookup("pmid", "abc") is None
    assert real_library.lookup("shoe-size", "42") is None


def test_front_matter_splits_on_the_first_colon_only():
    meta, body = split_front_matter(
        "---\ntitle: Aspirin: a review: part 2\nurl: https://example.org/a?b=c:d\n"
        "Authors:  'Smith J, Lee K'\n---\nBody text: here.\n"
    )
    assert meta == {
        "title": "Aspirin: a review: part 2",
        "url": "https://example.org/a?b=c:d",
        "authors": "Smith J, Lee K",
    }
    assert body == "Body text: here.\n"


@pytest.mark.parametrize(
    "text",
    [
        "No header here.\n---\ntitle: x\n---\n",  # the header must come first
        "---\ntitle: never closed\nbody\n",  # no closing line
        "---\nJust a horizontal rule first\n---\nthen text\n",  # no key: value lines
    ],
)
def test_text_without_a_real_header_is_all_body(text):
    assert split_front_matter(text) == ({}, text)


def test_sidecar_json_gives_metadata_for_html(tmp_path):
    page = (
        "<html><head><title>Site title</title><script>track()</script></head><body>"
        "<nav>Home | About | Shop</nav><article><h1>Vitamin D and colds</h1>"
        "<p>Vitamin D supplementation reduced respiratory infections by 12% in the pooled analysis "
        "of 37 trials, with the benefit confined to daily dosing regimens.</p>"
        "<p>No effect was seen with large bolus doses given monthly or less often.</p>"
        "</article><footer>© Example</footer></body></html>"
    )
    write(tmp_path / "vitd.html", page)
    write(
        tmp_path / "vitd.html.json",
        json.dumps(
            {
                "title": "Vitamin D supplementation to prevent acute respiratory infections",
                "doi": "10.5555/VITD.2021.9",
                "authors": ["Wen L", "Adebayo O"],
                "year": 2021,
            }
        ),
    )
    library = SourceLibrary([tmp_path])
    source = library.lookup("doi", "10.5555/vitd.2021.9")
    assert source is not None
    assert source.title == "Vitamin D supplementation to prevent acute respiratory infections"
    assert "reduced respiratory infections by 12%" in source.text
    assert "track()" not in source.text and "Home | About" not in source.text
    assert library.lookup("author-year", "Wen et al. 2021") == source
    assert library.skipped == ()  # the sidecar belongs to a file, so it is not "skipped"


def test_plain_sidecar_name_and_html_citation_meta(tmp_path):
    write(
        tmp_path / "page.htm",
        '<html><head><meta name="citation_title" content="Steps and mortality">'
        '<meta name="citation_pmid" content="31234567"></head>'
        "<body><p>Each additional 1000 steps a day was associated with lower mortality.</p></body></html>",
    )
    write(tmp_path / "page.json", '{"journal": "Cohort Studies"}')
    source = SourceLibrary([tmp_path]).lookup("pmid", "31234567")
    assert source is not None
    assert source.title == "Steps and mortality"
    assert source.identifiers["journal"] == "Cohort Studies"


def test_markdown_heading_is_the_title_without_a_header(tmp_path):
    write(tmp_path / "notes.md", "# Creatine and memory\n\nCreatine improved recall in older adults.\n")
    library = SourceLibrary([tmp_path])
    source = library.lookup("title", "creatine and memory")
    assert source is not None
    assert source.key == "library:notes.md"


def test_pdf_with_sidecar(tmp_path, make_pdf):
    write(tmp_path / "trial.pdf", make_pdf("Salt substitution lowered systolic pressure by 4.9 mmHg"))
    write(tmp_path / "trial.pdf.json", '{"doi": "10.5555/salt.1", "title": "Salt substitute trial"}')
    source = SourceLibrary([tmp_path]).lookup("doi", "10.5555/salt.1")
    assert source is not None
    assert source.text == "Salt substitution lowered systolic pressure by 4.9 mmHg"
    assert source.title == "Salt substitute trial"


def test_pdf_without_pypdf_is_skipped_with_a_reason(tmp_path, make_pdf, monkeypatch):
    write(tmp_path / "trial.pdf", make_pdf("Some text"))
    monkeypatch.setitem(sys.modules, "pypdf", None)  # import pypdf now raises ImportError
    library = SourceLibrary([tmp_path])
    assert library.entries() == []
    assert [(s.path.name, s.reason) for s in library.skipped] == [
        ("trial.pdf", "PDF support needs pypdf (pip install 'claimcheck[pdf]')")
    ]


def test_unusable_files_are_skipped_with_reasons(tmp_path):
    write(tmp_path / "good.md", "---\ntitle: Good\ndoi: 10.5555/good\n---\nUseful text.\n")
    write(tmp_path / "binary.txt", b"\x00\x01\x02garbage\x00" * 20)
    write(tmp_path / "empty.md", "---\ntitle: Empty\ndoi: 10.5555/empty\n---\n\n")
    write(tmp_path / "paper.docx", b"PK\x03\x04")
    write(tmp_path / "broken.md", "Some text.\n")
    write(tmp_path / "broken.md.json", "{not json")
    write(tmp_path / "orphan.json", "{}")
    write(tmp_path / "bad.pdf", b"%PDF-1.4 this is not really a pdf")
    write(tmp_path / ".hidden.md", "ignored")
    write(tmp_path / ".git" / "objects" / "ab" / "cdef", b"\x00blob")
    library = SourceLibrary([tmp_path, tmp_path / "missing"])
    skipped = {s.path.name: s.reason for s in library.skipped}
    assert [e.title for e in library.entries()] == ["Good"]
    assert skipped["binary.txt"] == "looks like a binary file, not text"
    assert skipped["empty.md"] == "no text to check against"
    assert skipped["paper.docx"] == "unsupported file type .docx"
    assert skipped["broken.md"].startswith("sidecar broken.md.json is not valid JSON")
    assert skipped["orphan.json"] == "sidecar .json without a source file"
    assert skipped["bad.pdf"].startswith("cannot read PDF (")
    assert skipped["missing"] == "library folder does not exist"
    assert ".hidden.md" not in skipped and "cdef" not in skipped


def test_bad_and_duplicate_identifiers_become_warnings(tmp_path):
    write(tmp_path / "a.md", "---\ntitle: A\ndoi: 10.5555/same\n---\nFirst.\n")
    write(tmp_path / "b.md", "---\ntitle: B\ndoi: 10.5555/SAME\npmid: n/a\n---\nSecond.\n")
    library = SourceLibrary([tmp_path])
    assert library.lookup("doi", "10.5555/same").title == "A"  # the first file wins
    warnings = " | ".join(library.warnings)
    assert "b.md: not a valid PMID: 'n/a'" in warnings
    assert "doi 10.5555/same is also in" in warnings


def test_shared_author_year_is_ambiguous_not_a_guess(tmp_path):
    write(tmp_path / "a.md", "---\ntitle: A\nauthors: Smith J, Lee K\nyear: 2020\n---\nOne.\n")
    write(tmp_path / "b.md", "---\ntitle: B\nauthors: Smith P\nyear: 2020\n---\nTwo.\n")
    library = SourceLibrary([tmp_path])
    assert library.lookup("author-year", "Smith 2020") is None
    assert {s.title for s in library.lookup_all("author-year", "Smith et al., 2020")} == {"A", "B"}


def test_folders_are_searched_recursively(tmp_path):
    write(tmp_path / "2021" / "trials" / "x.md", "---\ntitle: Deep\nnct: NCT00000001\n---\nText.\n")
    assert SourceLibrary([tmp_path]).lookup("nct", "NCT00000001").title == "Deep"


def test_add_copies_in_and_never_touches_the_original(tmp_path):
    original = write(tmp_path / "inbox" / "new.md", "---\ntitle: New\ndoi: 10.5555/new\n---\nFresh text.\n")
    write(tmp_path / "inbox" / "new.md.json", '{"pmid": "123"}')
    os.utime(original, (1_000_000, 1_000_000))
    before = (original.read_bytes(), original.stat().st_mtime)
    library = SourceLibrary([tmp_path / "lib"])
    assert library.lookup("doi", "10.5555/new") is None

    copied = library.add(original)
    assert copied == tmp_path / "lib" / "new.md"
    assert (tmp_path / "lib" / "new.md.json").is_file()
    assert (original.read_bytes(), original.stat().st_mtime) == before
    assert library.lookup("doi", "10.5555/new").location == str(copied)
    assert library.lookup("pmid", "123") is not None

    assert library.add(original) == copied  # the same file again: no second copy
    write(tmp_path / "other" / "new.md", "---\ntitle: Other\ndoi: 10.5555/other\n---\nOther text.\n")
    assert library.add(tmp_path / "other" / "new.md") == tmp_path / "lib" / "new-2.md"
    assert library.lookup("doi", "10.5555/other").title == "Other"


def test_add_to_a_new_folder_extends_the_library(tmp_path):
    source = write(tmp_path / "x.txt", "---\ntitle: X\npmid: 42\n---\nText.\n")
    library = SourceLibrary([])
    copied = library.add(source, tmp_path / "extra")
    assert copied.parent == tmp_path / "extra"
    assert library.lookup("pmid", "42") is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.docx", b"PK", "unsupported source type"),
        ("empty.md", b"", "no text to check against"),
        ("nothing.md", None, "no such file"),
    ],
)
def test_add_refuses_unusable_files(tmp_path, name, content, message):
    if content is not None:
        write(tmp_path / name, content)
    with pytest.raises(ClaimcheckError, match=message):
        SourceLibrary([tmp_path / "lib"]).add(tmp_path / name)
    assert not (tmp_path / "lib").exists()


def test_add_needs_a_folder():
    with pytest.raises(ClaimcheckError, match="no library folder"):
        SourceLibrary([]).add(DATA / "ashwagandha-perceived-stress-pilot.md")
