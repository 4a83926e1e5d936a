"""Bad input becomes an InputError with a one-line reason; the file is never written."""

import pytest

from claimcheck.errors import InputError
from claimcheck.load import load_bytes, load_path


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_path(tmp_path / "nope.md")


def test_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        load_path(tmp_path)


def test_binary_file(tmp_path):
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="binary"):
        load_path(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_path(path)


def test_too_large_names_the_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("A sentence about sleep. " * 1_000_000, encoding="utf-8")  # ~24 MB
    with pytest.raises(InputError, match="over the 5 MB limit"):
        load_path(path)


def test_latin1_is_decoded_not_refused(tmp_path):
    path = tmp_path / "legacy.txt"
    path.write_bytes("Caf\xe9 owners reported a 12% rise in visits.\n".encode("latin-1") * 3)
    doc = load_path(path)
    assert "Café" in doc.blocks[0].text


def test_html_of_only_scripts_has_no_text():
    html = "<html><head><script>" + "var a=1;" * 5000 + "</script></head><body><script>x()</script></body></html>"
    with pytest.raises(InputError, match="no readable text"):
        load_bytes(html.encode(), "html", "scripts.html")


def test_unsupported_extension(tmp_path):
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="unsupported file type"):
        load_path(path)


def test_corrupt_docx(tmp_path):
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match="docx"):
        load_path(path)


def test_reading_never_modifies_the_file(tmp_path):
    path = tmp_path / "a.md"
    path.write_text("# T\n\nOne sentence.\n", encoding="utf-8")
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    load_path(path)
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
