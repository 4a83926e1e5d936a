"""HTML: one self-contained file an editor can send; readable on a phone (responsive CSS,
no scripts, no external assets) and every piece of article text escaped."""

from __future__ import annotations

from html import escape

from claimcheck.schema import Report

CSS = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1b1f24;background:#fafafa}
main{max-width:860px;margin:0 auto;padding:16px;overflow-wrap:anywhere}
h1{font-size:1.35rem;margin:.2em 0}.score{display:flex;gap:16px;align-items:center;flex-wrap:wrap;
background:#fff;border:1px solid #ddd;border-radius:10px;padding:12px 16px}
.big{font-size:2.4rem;font-weight:700}
.grade{font-size:1.2rem;font-weight:700;padding:2px 10px;border-radius:6px;color:#fff}
.g-A,.g-B{background:#1a7f37}.g-C{background:#b08800}.g-D,.g-F{background:#cf222e}
table{border-collapse:collapse;width:100%;margin:12px 0;background:#fff;font-size:.93rem}
th,td{border:1px solid #ddd;padding:6px 8px;vertical-align:top;text-align:left}th,td.k{overflow-wrap:normal}
.article p{background:#fff;border-radius:8px;padding:8px 12px;margin:6px 0}
.s{border-radius:4px;padding:1px 2px}.finding{background:#ddf4ff}.hype{background:#ffd8f0}
.call-to-action{background:#fff1c2}.disclaimer{background:#dafbe1}.background{}
.tag{font-size:.72rem;color:#57606a;margin-left:4px}.legend span{margin-right:8px;display:inline-block}
.v-supported{color:#1a7f37;font-weight:600}.v-contradicted{color:#cf222e;font-weight:700}
.v-overstated{color:#9a6700;font-weight:600}.v-not-found{color:#8250df;font-weight:600}.v-uncited{color:#57606a}
blockquote{margin:4px 0;padding-left:8px;border-left:3px solid #ccc;font-style:italic}
@media (max-width:600px){body{font-size:15px}.big{font-size:2rem}
table,tbody,tr,td{display:block}table{background:none}thead{display:none}
tr{background:#fff;border:1px solid #ddd;border-radius:8px;margin:8px 0}td{border:0;padding:4px 10px}
td::before{content:attr(data-label);display:block;font-size:.8rem;font-weight:600;color:#57606a}}
"""


def render_html(report: Report) -> str:
    e = escape
    title = e(report.title or report.path or "article")
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>claimcheck: {title}</title><style>{CSS}</style></head><body><main>",
        f"<h1>{title}</h1>",
        f"<section class='score' aria-label='score'><span class='big'>{report.score}/100</span>"
        f"<span class='grade g-{e(report.grade)}'>grade {e(report.grade)}</span>"
        f"<span>{e(report.path or 'stdin')}</span></section>",
        "<h2>How the score was built</h2><table><thead><tr><th>component</th><th>points</th><th>measure</th>"
        "<th>why</th></tr></thead>",
    ]
    for c in report.components:
        parts.append(
            f"<tr><td class='k' data-label='component'>{e(c.name)}</td>"
            f"<td class='k' data-label='points'>{c.points:g}/{c.max_points:g}</td>"
            f"<td class='k' data-label='measure'>{e(c.value)}</td><td data-label='why'>{e(c.explanation)}</td></tr>"
        )
    parts.append("</table>")
    by_index = {s.index: s for s in report.sentences}
    if report.claims:
        parts.append(
            "<h2>Findings and their sources</h2><table><thead><tr><th>line</th><th>finding</th>"
            "<th>verdict</th><th>evidence</th></tr></thead>"
        )
        for c in report.claims:
            s = by_index[c.sentence_index]
            evidence = ""
            if c.evidence is not None:
                evidence = (
                    f"<b>{e(c.evidence.source_title or c.evidence.source_key)}</b>"
                    f"<blockquote>{e(c.evidence.passage)}</blockquote>"
                )
            parts.append(
                f"<tr><td class='k' data-label='line'>{s.line}:{s.column}</td><td data-label='finding'>{e(c.text)}</td>"
                f"<td class='k v-{e(c.verdict)}' data-label='verdict'>{e(c.verdict)}</td>"
                f"<td data-label='evidence'>{evidence}{e(c.reason)}</td></tr>"
            )
        parts.append("</table>")
    parts.append(
        "<h2>The article, sentence by sentence</h2><p class='legend'>"
        + "".join(f"<span class='s {k}'>{k} {v}</span>" for k, v in report.label_counts().items())
        + "</p><div class='article'>"
    )
    block = None
    for s in report.sentences:
        if s.block_index != block:
            if block is not None:
                parts.append("</p>")
            parts.append("<p>")
            block = s.block_index
        parts.append(
            f"<span class='s {e(s.label)}' title='{e(s.label)} {s.confidence:.0%}, "
            f"line {s.line}:{s.column}'>{e(s.text)}</span><span class='tag'>{e(s.label)}</span> "
        )
    if block is not None:
        parts.append("</p>")
    parts.append("</div>")
    if report.warnings:
        parts.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{e(w)}</li>" for w in report.warnings) + "</ul>")
    parts.append("</main></body></html>")
    return "".join(parts)
