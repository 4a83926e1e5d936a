"""The SQLite source cache: round trips, time-to-live, negative entries, several processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from claimcheck.errors import ClaimcheckError
from claimcheck.schema import Source
from claimcheck.sources.cache import SourceCache

SOURCE = Source(
    key="doi:10.5555/x.1",
    title="A trial: with a colon",
    text="Résumé of the results — 4.1 minutes.",
    origin="crossref",
    identifiers={"doi": "10.5555/x.1", "pmid": "123"},
    location="https://api.crossref.org/works/10.5555/x.1",
)


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(tmp_path, clock) -> SourceCache:
    return SourceCache(tmp_path / "deep" / "sources.sqlite", clock=clock)


def test_round_trip_keeps_every_field(cache):
    assert cache.get("doi", "10.5555/x.1") is None
    cache.put("doi", "10.5555/x.1", SOURCE)
    entry = cache.get("doi", "10.5555/x.1")
    assert entry is not None and entry.found
    assert entry.source == SOURCE
    assert entry.origin == "crossref"
    assert entry.fetched_at == "2024-05-01T12:00:00+00:00"
    assert cache.get("pmid", "10.5555/x.1") is None  # keyed by kind and identifier


def test_wal_mode_and_table(cache):
    cache.put("doi", "10.5555/x.1", SOURCE)
    with sqlite3.connect(cache.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = [row[1] for row in conn.execute("PRAGMA table_info(sources)")]
    assert columns == ["kind", "identifier", "source", "reason", "origin", "fetched_at"]


def test_not_found_is_cached_for_a_day(cache, clock):
    cache.put("doi", "10.5555/gone", None, reason="crossref: HTTP 404", origin="online")
    cache.put("doi", "10.5555/x.1", SOURCE)
    entry = cache.get("doi", "10.5555/gone")
    assert entry is not None and not entry.found
    assert entry.reason == "crossref: HTTP 404"
    clock.now += timedelta(hours=23)
    assert cache.get("doi", "10.5555/gone") is not None
    clock.now += timedelta(hours=1)
    assert cache.get("doi", "10.5555/gone") is None  # expired: fetched again next time
    assert cache.get("doi", "10.5555/x.1") is not None  # found entries live longer
    clock.now += timedelta(days=30)
    assert cache.get("doi", "10.5555/x.1") is None


def test_custom_ttls(tmp_path, clock):
    cache = SourceCache(tmp_path / "c.sqlite", ttl=timedelta(hours=1), negative_ttl=timedelta(minutes=5), clock=clock)
    cache.put("pmid", "1", SOURCE)
    cache.put("pmid", "2", None, reason="no record")
    clock.now += timedelta(minutes=10)
    assert cache.get("pmid", "1") is not None
    assert cache.get("pmid", "2") is None


def test_put_replaces(cache):
    cache.put("doi", "10.5555/x.1", None, reason="HTTP 404")
    cache.put("doi", "10.5555/x.1", SOURCE)
    assert cache.get("doi", "10.5555/x.1").source == SOURCE
    assert cache.count() == 1


def test_list_count_and_clear(cache, clock):
    cache.put("doi", "10.5555/a", SOURCE)
    clock.now += timedelta(minutes=1)
    cache.put("pmid", "123", SOURCE)
    clock.now += timedelta(minutes=1)
    cache.put("nct", "NCT00000001", None, reason="HTTP 404")
    assert cache.count() == 3
    assert [(e.kind, e.identifier) for e in cache.list()] == [
        ("doi", "10.5555/a"),
        ("pmid", "123"),
        ("nct", "NCT00000001"),
    ]
    assert [e.identifier for e in cache.list("pmid")] == ["123"]

    clock.now += timedelta(days=2)  # the negative entry is now expired
    assert len(cache.list()) == 2
    assert len(cache.list(include_expired=True)) == 3
    assert cache.clear(expired_only=True) == 1
    assert cache.clear("doi") == 1
    assert [e.kind for e in cache.list()] == ["pmid"]
    assert cache.clear() == 1
    assert cache.count() == 0


def test_naive_and_other_zone_clocks_are_stored_as_utc(tmp_path):
    from datetime import timezone

    plus_two = datetime(2024, 5, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    cache = SourceCache(tmp_path / "c.sqlite", clock=lambda: plus_two)
    assert cache.put("pmid", "1", SOURCE).fetched_at == "2024-05-01T12:00:00+00:00"


def test_corrupt_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "sources.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(ClaimcheckError, match="delete the file to start a fresh cache"):
        SourceCache(path).get("doi", "10.5555/x")


def test_unreadable_entry_counts_as_missing(cache):
    cache.put("doi", "10.5555/x.1", SOURCE)
    with sqlite3.connect(cache.path) as conn:
        conn.execute('UPDATE sources SET source = \'{"key": 1, "bogus": 2}\'')
    assert cache.get("doi", "10.5555/x.1") is None


WRITER = """
import sys
from claimcheck.schema import Source
from claimcheck.sources.cache import SourceCache
cache = SourceCache(sys.argv[1])
worker = sys.argv[2]
for i in range(25):
    source = Source(key=f"pmid:{worker}{i}", title="t", text="x" * 500, origin="europepmc")
    cache.put("pmid", f"{worker}{i:03d}", source)
    cache.get("pmid", f"{worker}{i:03d}")
"""


def test_several_processes_share_one_cache(tmp_path):
    path = tmp_path / "shared" / "sources.sqlite"
    workers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(n)], stderr=subprocess.PIPE) for n in range(1, 5)
    ]
    errors = [w.communicate(timeout=60)[1].decode() for w in workers]
    assert [w.returncode for w in workers] == [0, 0, 0, 0], errors
    cache = SourceCache(path)
    assert cache.count() == 100
    assert cache.get("pmid", "3024").source.key == "pmid:324"
