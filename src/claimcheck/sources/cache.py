"""The source cache: what earlier runs fetched online, in one SQLite file.

SQLite because several claimcheck processes (an audit, an editor plugin) may share the
cache: WAL mode lets readers and one writer work at once, every call opens its own short
connection with a busy timeout, and each write is one transaction. "Not found" answers are
cached too, for a shorter time, so a dead DOI is not asked for on every run.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from claimcheck.errors import ClaimcheckError
from claimcheck.schema import Source

DEFAULT_TTL = timedelta(days=30)
DEFAULT_NEGATIVE_TTL = timedelta(days=1)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    kind TEXT NOT NULL,
    identifier TEXT NOT NULL,
    source TEXT,
    reason TEXT NOT NULL DEFAULT '',
    origin TEXT NOT NULL DEFAULT '',
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (kind, identifier)
)
"""


@dataclass(frozen=True)
class CacheEntry:
    """One cached answer: a source, or None and the reason nothing was found."""

    kind: str
    identifier: str
    source: Source | None
    reason: str
    origin: str
    fetched_at: str  # UTC, ISO 8601

    @property
    def found(self) -> bool:
        return self.source is not None


class SourceCache:
    """Sources by (kind, identifier); found entries live ``ttl``, not-found ``negative_ttl``.

    ``clock`` returns the current UTC time and is injectable so tests can age entries.
    """

    def __init__(
        self,
        path: str | Path,
        ttl: timedelta = DEFAULT_TTL,
        negative_ttl: timedelta = DEFAULT_NEGATIVE_TTL,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.path = Path(path)
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.clock = clock
        self._ready = False

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if not self._ready:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30)
        except (OSError, sqlite3.Error) as exc:
            raise ClaimcheckError(f"source cache {self.path}: cannot open ({exc})") from exc
        try:
            # A cache may lose its last writes in a power cut; NORMAL skips an fsync per write.
            conn.execute("PRAGMA synchronous=NORMAL")
            if not self._ready:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                conn.commit()
                self._ready = True
            with conn:
                yield conn
        except sqlite3.DatabaseError as exc:
            raise ClaimcheckError(f"source cache {self.path}: {exc} (delete the file to start a fresh cache)") from exc
        finally:
            conn.close()

    def get(self, kind: str, identifier: str) -> CacheEntry | None:
        """The live entry for (kind, identifier), or None when absent or expired."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT kind, identifier, source, reason, origin, fetched_at FROM sources "
                "WHERE kind = ? AND identifier = ?",
                (kind, identifier),
            ).fetchone()
        if row is None:
            return None
        entry = _entry(row)
        return None if self._expired(entry) else entry

    def put(
        self, kind: str, identifier: str, source: Source | None, *, reason: str = "", origin: str = ""
    ) -> CacheEntry:
        """Store a found source, or (source None) the reason it was not found."""
        fetched_at = self.clock().astimezone(UTC).isoformat(timespec="seconds")
        payload = json.dumps(asdict(source), ensure_ascii=False) if source else None
        origin = origin or (source.origin if source else "")
        with self._connect() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO sources (kind, identifier, source, reason, origin, "
                "fetched_at) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, identifier, payload, reason, origin, fetched_at),
            )
        return CacheEntry(kind, identifier, source, reason, origin, fetched_at)

    def list(self, kind: str | None = None, include_expired: bool = False) -> list[CacheEntry]:
        """Entries, oldest first; expired ones only when asked for."""
        query = "SELECT kind, identifier, source, reason, origin, fetched_at FROM sources"
        args: tuple[str, ...] = ()
        if kind is not None:
            query, args = query + " WHERE kind = ?", (kind,)
        with self._connect() as conn:
            rows = conn.execute(query + " ORDER BY fetched_at, kind, identifier", args).fetchall()
        entries = [_entry(row) for row in rows]
        return [e for e in entries if include_expired or not self._expired(e)]

    def count(self) -> int:
        """How many entries are stored (expired ones included until cleared)."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0])

    def clear(self, kind: str | None = None, expired_only: bool = False) -> int:
        """Delete entries (of one kind, or only expired ones); returns how many went."""
        doomed = [
            (e.kind, e.identifier)
            for e in self.list(kind, include_expired=True)
            if not expired_only or self._expired(e)
        ]
        with self._connect() as conn:
            conn.executemany("DELETE FROM sources WHERE kind = ? AND identifier = ?", doomed)
        return len(doomed)

    def _expired(self, entry: CacheEntry) -> bool:
        try:
            fetched = datetime.fromisoformat(entry.fetched_at)
        except ValueError:
            return True
        if fetched.tzinfo is None:
            fetched = fetched.replace(tzinfo=UTC)
        ttl = self.ttl if entry.found else self.negative_ttl
        return self.clock() - fetched >= ttl


def _entry(row: tuple[str, str, str | None, str, str, str]) -> CacheEntry:
    kind, identifier, payload, reason, origin, fetched_at = row
    source = None
    if payload:
        try:
            data = json.loads(payload)
            data["identifiers"] = dict(data.get("identifiers") or {})
            source = Source(**data)
        except (ValueError, TypeError):
            reason = reason or "unreadable cache entry"
            fetched_at = ""  # treated as expired, so it is fetched again
    return CacheEntry(kind, identifier, source, reason, origin, fetched_at)
