"""`claimcheck sources list|add|clear`: what the local library holds, what the cache
remembers, and the two ways to change them."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from claimcheck.config import Settings
from claimcheck.errors import InputError


def run_sources_list(settings: Settings, extra_dirs: list[Path], console: Console) -> None:
    from claimcheck.sources.cache import SourceCache
    from claimcheck.sources.library import SourceLibrary

    dirs = [*settings.source_dirs, *extra_dirs]
    if dirs:
        library = SourceLibrary(dirs)
        table = Table(title=f"library: {', '.join(str(d) for d in dirs)}")
        table.add_column("key")
        table.add_column("title")
        table.add_column("where")
        for source in library.entries():
            table.add_row(source.key, source.title, source.location)
        console.print(table)
        for skipped in library.skipped:
            console.print(f"[yellow]skipped[/] {skipped.path}: {skipped.reason}", soft_wrap=True)
    else:
        console.print("[dim]no library folders configured (use --sources DIR or source_dirs in [tool.claimcheck])[/]")
    cache = SourceCache(settings.cache_dir / "sources.sqlite")
    entries = cache.list(include_expired=True)
    table = Table(title=f"cache: {settings.cache_dir / 'sources.sqlite'} ({len(entries)} entries)")
    for col in ("kind", "identifier", "found", "origin", "fetched at"):
        table.add_column(col)
    for e in entries:
        table.add_row(e.kind, e.identifier, "yes" if e.found else f"no: {e.reason}", e.origin, e.fetched_at)
    console.print(table)


def run_sources_add(files: list[Path], library_dir: Path, console: Console) -> None:
    from claimcheck.sources.library import SourceLibrary

    library = SourceLibrary([library_dir])
    for path in files:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        try:
            dest = library.add(path, library_dir)
        except (ValueError, OSError) as exc:
            raise InputError(f"{path}: {exc}") from exc
        console.print(f"added {path} -> {dest}")


def run_sources_clear(settings: Settings, console: Console) -> None:
    from claimcheck.sources.cache import SourceCache

    removed = SourceCache(settings.cache_dir / "sources.sqlite").clear()
    console.print(f"removed {removed} cached source(s)")
