"""The HTML report as a reader sees it: rendered by headless Chromium (Debian's `chromium`
package, driven through Playwright with executable_path, so no browser is downloaded).

Checks what is visible, that article text is escaped (no script runs, no element is made from
it), that a 390-pixel phone shows the page without sideways scrolling in readable type, and that
the file is self-contained (no request leaves the page, no script of its own).

Chromium is required, not optional: CI installs it (`apt-get install -y chromium`), so a missing
browser fails these tests with instructions instead of skipping them. Deselect them locally with
`-m "not browser"`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from claimcheck.render.html import render_html
from claimcheck.schema import BlockKind, Claim, Evidence, Report, ScoreComponent, Sentence

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("CLAIMCHECK_CHROMIUM", "/usr/bin/chromium")
INSTALL_HINT = (
    "install Debian's Chromium with `apt-get update && apt-get install -y chromium` "
    "(CI does), set CLAIMCHECK_CHROMIUM to another Chromium binary, or deselect these tests "
    'with `-m "not browser"`'
)
# Flags that work offline and as root; Playwright adds --headless and a fresh temporary
# --user-data-dir of its own (it refuses one passed in args).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
SCREENSHOT_COPY = Path("/tmp/report-phone.png")

PAYLOAD = (
    'Readers wrote in: <script>window.pwned=1</script><img src=x onerror="window.pwned=2"> '
    "and </span><b>bold</b> & 'quotes' too."
)
LONG_URL = (
    "https://doi.org/10.1016/j.sleep.2021.05.012?utm_source=newsletter&utm_medium=email"
    "&utm_campaign=magnesium-glycinate-sleep-quality-randomised-trial-followup-2024"
)


# ---------------------------------------------------------------- browser plumbing


def chromium_executable() -> str:
    """The Chromium binary, or a test failure that says how to install it."""
    path = shutil.which(CHROMIUM) or CHROMIUM
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"headless Chromium not found at {CHROMIUM}: {INSTALL_HINT}", pytrace=False)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the playwright package is missing: `.venv/bin/pip install -e '.[dev]'` installs it "
            "(it drives the system Chromium; no `playwright install` needed)",
            pytrace=False,
        )
    executable = chromium_executable()
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:
            pytest.fail(f"could not start {executable}: {error}\n{INSTALL_HINT}", pytrace=False)
        yield chromium
        chromium.close()


class Opened:
    """A report opened from a file in a fresh browser context, with every request it made."""

    def __init__(self, page, url: str, requests: list[str]) -> None:
        self.page = page
        self.url = url
        self.requests = requests

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if url != self.url]


@pytest.fixture
def open_html(browser, tmp_path: Path):
    """open_html(html, **context_options) -> Opened: the page loaded from a file:// URL.

    Every request the page makes is recorded and all but the page itself are aborted, so an
    external asset can neither load nor go unnoticed.
    """
    contexts = []

    def open_(html: str, **options) -> Opened:
        path = tmp_path / f"report-{len(contexts)}.html"
        path.write_text(html, encoding="utf-8")
        url = path.as_uri()
        context = browser.new_context(java_script_enabled=True, **options)
        contexts.append(context)
        requests: list[str] = []
        context.on("request", lambda request: requests.append(request.url))

        def only_the_page(route) -> None:
            if route.request.url == url:
                route.continue_()
            else:
                route.abort()

        context.route("**/*", only_the_page)
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.wait_for_timeout(100)  # let any (unwanted) onerror / timer handler fire
        return Opened(page, url, requests)

    yield open_
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- reports built by hand


def sentence(index: int, text: str, label: str, block: int, line: int, kind: BlockKind = BlockKind.PARAGRAPH):
    start = index * 100
    return Sentence(
        index=index,
        text=text,
        label=label,
        confidence=0.91,
        scores={label: 0.91},
        start=start,
        end=start + len(text),
        line=line,
        column=1 + (index % 3) * 10,
        kind=kind,
        block_index=block,
    )


SENTENCES = (
    sentence(0, "Magnesium and sleep: what the new trial says", "background", 0, 1, BlockKind.TITLE),
    sentence(1, "Sleep troubles affect roughly one adult in three.", "background", 1, 3),
    sentence(2, "In the trial, 31% of participants on magnesium fell asleep faster.", "finding", 1, 3),
    sentence(3, "This miracle mineral will transform your nights forever!", "hype", 2, 5),
    sentence(4, "Median sleep latency fell by 17 minutes over eight weeks.", "finding", 2, 5),
    sentence(5, "Buy our magnesium blend today and save 20%.", "call-to-action", 3, 7),
    sentence(6, "The study was small and funded by a supplement maker.", "disclaimer", 4, 9),
    sentence(7, f"Magnesium cured insomnia in every participant, see {LONG_URL}", "finding", 4, 9),
    sentence(8, "Experts also say that vitamin D halves the risk of waking at night.", "finding", 5, 11),
    sentence(9, "This article is not medical advice.", "disclaimer", 6, 13),
)

CLAIMS = (
    Claim(
        sentence_index=2,
        text=SENTENCES[2].text,
        verdict="supported",
        confidence=0.88,
        reason="the source reports the same share",
        citations=(0,),
        sources=("doi:10.1000/sleep.1",),
        evidence=Evidence(
            "doi:10.1000/sleep.1",
            "Magnesium supplementation and sleep onset: a randomised trial",
            "Sleep onset was faster in 31% of the magnesium group versus 18% on placebo.",
            0.83,
            ("numbers match",),
        ),
    ),
    Claim(
        sentence_index=4,
        text=SENTENCES[4].text,
        verdict="contradicted",
        confidence=0.79,
        reason="the source reports 7 minutes, not 17",
        citations=(0,),
        sources=("doi:10.1000/sleep.1",),
        evidence=Evidence(
            "doi:10.1000/sleep.1",
            "Magnesium supplementation and sleep onset: a randomised trial",
            "Median sleep latency decreased by 7 minutes (95% CI 2 to 12) at week eight.",
            0.77,
            ("number differs",),
        ),
    ),
    Claim(
        sentence_index=7,
        text=SENTENCES[7].text,
        verdict="overstated",
        confidence=0.7,
        reason="the source hedges: improvement in some participants",
        citations=(1,),
        sources=("doi:10.1016/j.sleep.2021.05.012",),
        evidence=Evidence(
            "doi:10.1016/j.sleep.2021.05.012",
            "",
            f"Symptoms improved in a subset of participants; full text at {LONG_URL}",
            0.61,
        ),
    ),
    Claim(
        sentence_index=8,
        text=SENTENCES[8].text,
        verdict="not-found",
        confidence=0.55,
        reason="no passage in the cited source addresses this",
        citations=(2,),
        sources=("pmid:12345678",),
    ),
    Claim(sentence_index=9, text=SENTENCES[9].text, verdict="uncited", confidence=0.5, reason="no citation"),
)

COMPONENTS = (
    ScoreComponent("sourcing", 20.0, 25, "4/5 findings cited", "1 finding(s) cite nothing", (9,)),
    ScoreComponent("support", 10.0, 30, "1/3 supported", "findings the sources contradict", (4, 7)),
    ScoreComponent("restraint", 12.0, 20, "10% hype", "1 of 10 sentences are hype", (3,)),
    ScoreComponent("focus", 6.0, 10, "10% calls to action", "1 of 10 sentences are call-to-action", (5,)),
    ScoreComponent("caveats", 15.0, 15, "2 disclaimer(s)", "limitations and notices are stated", (6, 9)),
)


def make_report(**changes) -> Report:
    fields = {
        "path": "articles/magnesium-sleep.md",
        "format": "markdown",
        "score": 63,
        "grade": "C",
        "sentences": SENTENCES,
        "citations": (),
        "claims": CLAIMS,
        "components": COMPONENTS,
        "title": "Magnesium and sleep",
        "warnings": ("one source could not be resolved: pmid:12345678",),
        "model": "claimcheck-sentence",
    }
    fields.update(changes)
    return Report(**fields)


def hostile_report() -> Report:
    """Every text field the renderer prints carries markup that must stay text."""
    sentences = (
        *SENTENCES[:3],
        sentence(10, PAYLOAD, "hype", 2, 5),
        *SENTENCES[3:],
    )
    claims = (
        Claim(
            sentence_index=10,
            text=PAYLOAD,
            verdict="supported",
            confidence=0.9,
            reason=PAYLOAD,
            citations=(0,),
            sources=("x",),
            evidence=Evidence("x", PAYLOAD, PAYLOAD, 0.9),
        ),
    )
    components = (ScoreComponent("sourcing", 20.0, 25, PAYLOAD, PAYLOAD),)
    return make_report(
        sentences=sentences, claims=claims, components=components, title=PAYLOAD, path=PAYLOAD, warnings=(PAYLOAD,)
    )


# ---------------------------------------------------------------- page queries

TABLE_ROWS = """() => [...document.querySelectorAll('table')].map(t =>
    [...t.rows].map(r => [...r.cells].map(c => c.innerText.trim())))"""

ARTICLE_SENTENCES = """() => [...document.querySelectorAll('.article span.s')].map(s => ({
    text: s.textContent,
    cls: s.className,
    tag: s.nextElementSibling && s.nextElementSibling.classList.contains('tag') ? s.nextElementSibling.innerText : null,
    visible: s.getClientRects().length > 0 && getComputedStyle(s).visibility === 'visible',
}))"""

VERDICT_COLOURS = """() => {
    const table = [...document.querySelectorAll('table')]
        .find(t => [...t.rows[0].cells].some(c => c.innerText.trim() === 'verdict'));
    const column = [...table.rows[0].cells].findIndex(c => c.innerText.trim() === 'verdict');
    return Object.fromEntries([...table.rows].slice(1)
        .map(r => [r.cells[column].innerText.trim(), getComputedStyle(r.cells[column]).color]));
}"""

OVERFLOWING = """(width) => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5)
    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ': '
         + (el.textContent || '').slice(0, 60))"""


def table_with(tables: list[list[list[str]]], header: str) -> list[list[str]]:
    for rows in tables:
        if rows and header in rows[0]:
            return rows
    raise AssertionError(f"no table with a {header!r} column among {[rows[0] for rows in tables if rows]}")


def px(value: str) -> float:
    assert value.endswith("px"), value
    return float(value[:-2])


# ---------------------------------------------------------------- tests


def test_missing_chromium_fails_with_install_instructions(monkeypatch) -> None:
    monkeypatch.setattr(f"{__name__}.CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(pytest.fail.Exception, match=r"apt-get install -y chromium"):
        chromium_executable()


def test_reader_sees_score_grade_sentences_findings_and_evidence(open_html) -> None:
    report = make_report()
    opened = open_html(render_html(report))
    page = opened.page
    body = page.inner_text("body")

    assert page.title() == "claimcheck: Magnesium and sleep"
    score = page.locator(".score")
    assert score.is_visible()
    assert "63/100" in score.inner_text()
    assert "grade C" in score.inner_text()
    assert "articles/magnesium-sleep.md" in score.inner_text()

    # every sentence, in reading order, visible, with its label shown beside it
    shown = page.evaluate(ARTICLE_SENTENCES)
    assert [s["text"] for s in shown] == [s.text for s in report.sentences]
    assert [s["tag"] for s in shown] == [s.label for s in report.sentences]
    assert all(s["visible"] for s in shown), [s["text"] for s in shown if not s["visible"]]
    for s, seen in zip(report.sentences, shown, strict=True):
        assert s.label in seen["cls"].split()
        assert s.text in body

    tables = page.evaluate(TABLE_ROWS)
    components = table_with(tables, "component")
    assert components[0] == ["component", "points", "measure", "why"]
    assert [row[0] for row in components[1:]] == [c.name for c in report.components]
    assert components[1] == ["sourcing", "20/25", "4/5 findings cited", "1 finding(s) cite nothing"]

    findings = table_with(tables, "verdict")
    assert findings[0] == ["line", "finding", "verdict", "evidence"]
    rows = findings[1:]
    assert len(rows) == len(report.claims)
    by_index = {s.index: s for s in report.sentences}
    for claim, (where, text, verdict, evidence) in zip(report.claims, rows, strict=True):
        s = by_index[claim.sentence_index]
        assert where == f"{s.line}:{s.column}"
        assert text == claim.text
        assert verdict == claim.verdict
        assert claim.reason in evidence
        if claim.evidence is not None:
            assert claim.evidence.passage in evidence
            assert (claim.evidence.source_title or claim.evidence.source_key) in evidence

    # the evidence passage is a visible quote, not hidden markup
    quotes = page.locator("blockquote")
    assert quotes.count() == sum(c.evidence is not None for c in report.claims)
    assert quotes.first.is_visible()
    assert quotes.first.inner_text() == report.claims[0].evidence.passage
    # each verdict is styled by its class (a reader sees contradicted in red, ...)
    colours = page.evaluate(VERDICT_COLOURS)
    assert len(set(colours.values())) == len(colours) == 5, colours

    assert "Warnings" in body
    assert "one source could not be resolved: pmid:12345678" in body


def test_article_markup_is_shown_as_text_and_never_runs(open_html) -> None:
    report = hostile_report()
    opened = open_html(render_html(report))
    page = opened.page

    assert page.evaluate("() => typeof window.pwned") == "undefined"
    assert page.evaluate("() => document.querySelectorAll('script, img, iframe, object, embed').length") == 0
    # the only <b> elements are the renderer's own evidence titles, none made from the payload
    assert page.evaluate("() => [...document.querySelectorAll('b')].map(b => b.textContent)") == [PAYLOAD]
    assert (
        page.evaluate(
            "() => [...document.querySelectorAll('*')].flatMap(el => [...el.attributes])"
            ".filter(a => a.name.startsWith('on')).length"
        )
        == 0
    )

    # the sentence stays one span holding the literal text; the fake </span> closed nothing
    shown = page.evaluate(ARTICLE_SENTENCES)
    assert [s["text"] for s in shown] == [s.text for s in report.sentences]
    assert PAYLOAD in [s["text"] for s in shown]

    body = page.inner_text("body")
    # the payload appears literally wherever it was given: title, path, sentence, finding,
    # evidence title and passage, reason, component measure and explanation, warning
    assert body.count(PAYLOAD) >= 9, body
    assert page.title() == f"claimcheck: {PAYLOAD}"
    assert opened.foreign_requests() == []  # the <img src=x> never existed, so never loaded


def test_phone_width_no_sideways_scrolling_and_readable_type(open_html) -> None:
    opened = open_html(render_html(make_report()), **PHONE)
    page = opened.page

    # laid out at the device width (the viewport meta is honoured), not zoomed out to fit
    inner_width = page.evaluate("() => window.innerWidth")
    assert inner_width == 390, (
        f"the phone zoomed out to a {inner_width}px-wide layout; too wide: {page.evaluate(OVERFLOWING, 390)[:5]}"
    )
    assert page.evaluate("() => window.visualViewport.scale") == 1
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.body.scrollWidth, document.documentElement.clientWidth]"
    )
    assert max(widths) <= 390, f"page is wider than the phone: {widths}"
    assert page.evaluate(OVERFLOWING, 390) == []

    assert px(page.evaluate("() => getComputedStyle(document.body).fontSize")) >= 14
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.article span.s, td, blockquote')]"
        ".map(el => [el.textContent.slice(0, 40), getComputedStyle(el).fontSize])"
    )
    small = [(text, size) for text, size in sizes if px(size) < 14]
    assert not small, f"text smaller than 14px on a phone: {small}"

    # the narrow layout hides nothing a reader needs
    report = make_report()
    body = page.inner_text("body")
    for text in (*(s.text for s in report.sentences), *(c.verdict for c in report.claims), "63/100", "grade C"):
        assert text in body
    for claim in report.claims:
        if claim.evidence is not None:
            assert claim.evidence.passage in body


def test_self_contained_no_requests_no_scripts(open_html) -> None:
    html = render_html(make_report())
    opened = open_html(html)
    page = opened.page

    assert opened.requests == [opened.url]
    assert page.evaluate("() => document.scripts.length") == 0
    external = "link, img, iframe, object, embed, video, audio, source, frame"
    assert page.evaluate(f"() => document.querySelectorAll('{external}').length") == 0
    assert "<script" not in html.lower()
    assert "@import" not in html and "url(" not in html

    # control: the same harness does see (and block) an external asset
    leaky = html.replace("</main>", "<img src='https://cdn.example.invalid/pixel.png' alt=''></main>")
    assert open_html(leaky).foreign_requests() == ["https://cdn.example.invalid/pixel.png"]


def test_phone_screenshot_is_a_real_picture(open_html, tmp_path: Path) -> None:
    from PIL import Image

    page = open_html(render_html(make_report()), **PHONE).page
    shot = tmp_path / "report-phone.png"
    page.screenshot(path=str(shot), full_page=True)

    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    scale = PHONE["device_scale_factor"]
    assert width == 390 * scale
    assert height >= 844 * scale  # the full report is longer than one screen
    assert len(data) > 50_000

    with Image.open(shot) as image:
        pixels = image.convert("RGB").resize((width // 4, height // 4))
        colours = pixels.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, "screenshot is nearly flat"
    assert max(count for count, _ in colours) < 0.95 * sum(count for count, _ in colours)

    with contextlib.suppress(OSError):  # a copy to look at; not part of the check
        shutil.copyfile(shot, SCREENSHOT_COPY)
