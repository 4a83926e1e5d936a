"""Quick self-check for helpers writing raw articles: format and label counts.

Usage: python3 data/raw/check_batch.py [GLOB]   (default: data/raw/articles/*.txt)
"""
import collections
import glob
import sys

LABELS = {"finding", "hype", "call-to-action", "disclaimer", "background"}
KINDS = {"title", "heading", "p", "li", "button", "link", "caption", "quote", "table", "footer", "ref", "meta"}
KEYS = ["id", "topic", "genre", "register", "format"]

pattern = sys.argv[1] if len(sys.argv) > 1 else "data/raw/articles/*.txt"
counts: collections.Counter = collections.Counter()
problems = 0
files = sorted(glob.glob(pattern))
for path in files:
    lines = open(path, encoding="utf-8").read().split("\n")
    header = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        key, _, value = lines[i].partition(":")
        header[key.strip()] = value.strip()
        i += 1
    for key in KEYS:
        if key not in header:
            print(f"{path}: missing header {key}")
            problems += 1
    if header.get("id") and not path.endswith(header["id"] + ".txt"):
        print(f"{path}: id {header['id']!r} does not match file name")
        problems += 1
    for n, line in enumerate(lines[i:], start=i + 1):
        if not line.strip():
            continue
        parts = line.split(" | ", 2)
        if len(parts) != 3:
            print(f"{path}:{n}: not 'KIND | LABEL | TEXT': {line[:60]}")
            problems += 1
            continue
        kind, label, text = (p.strip() for p in parts)
        if kind not in KINDS:
            print(f"{path}:{n}: unknown kind {kind!r}")
            problems += 1
        if label not in LABELS:
            print(f"{path}:{n}: unknown label {label!r}")
            problems += 1
        if not text:
            print(f"{path}:{n}: empty text")
            problems += 1
        counts[label] += 1
total = sum(counts.values())
print(f"{len(files)} files, {total} segments, {problems} problems")
for label, c in counts.most_common():
    print(f"  {label:15} {c:5}  {100 * c / max(total, 1):.1f}%")
