"""Hostile files for the upload checks, generated in the test (nothing binary is committed).

Each builder returns (file name, bytes). Sizes stay small on disk: the bombs are highly compressed.
"""

import hashlib
import io
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

MiB = 1024 * 1024
HEADER = "No;Nama Lengkap;NIK;Jenis Kelamin;Tempat Lahir;Tanggal Lahir;Alamat;Kode Desa\n"


def _zip(entries: dict[str, bytes | int], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    """Entries given as an int are that many zero bytes, streamed in (a bomb's payload)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, content in entries.items():
            if isinstance(content, int):
                with zf.open(name, "w", force_zip64=True) as out:
                    chunk = b"\0" * MiB
                    for _ in range(content // MiB):
                        out.write(chunk)
            else:
                zf.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
WORKBOOK = (
    b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    b'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b"</Relationships>"
)
ROOT_RELS = (
    b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
    b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    b"</Relationships>"
)


def _sheet(rows_xml: bytes, doctype: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?>' + doctype + b'<worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData>' + rows_xml + b"</sheetData></worksheet>"
    )


def _xlsx(sheet: bytes | int, **extra: bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": ROOT_RELS,
            "xl/workbook.xml": WORKBOOK,
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet,
            **extra,
        }
    )


def _inline_row(n: int, cells: list[str]) -> bytes:
    inner = b"".join(b'<c t="inlineStr"><is><t>' + c.encode() + b"</t></is></c>" for c in cells)
    return b'<row r="' + str(n).encode() + b'">' + inner + b"</row>"


def _ods(content: bytes | int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        if isinstance(content, int):
            with zf.open("content.xml", "w", force_zip64=True) as out:
                for _ in range(content // MiB):
                    out.write(b" " * MiB)
        else:
            zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


XXE = (
    b'<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
    b'<!ENTITY ext SYSTEM "http://127.0.0.1:9/leak">]>'
)
LAUGHS = (
    b'<!DOCTYPE r [<!ENTITY a0 "lol">'
    + b"".join(f'<!ENTITY a{i} "{("&a" + str(i - 1) + ";") * 10}">'.encode() for i in range(1, 10))
    + b"]>"
)
INJECTION = "=cmd|' /C calc'!A0"


def hostile_files() -> list[tuple[str, str, bytes]]:
    """(label, file name, content): at least 20 kinds of hostile or broken upload.

    Compressing the two 300 MB bombs takes seconds, so the set is built once and kept in the
    temporary directory, under a name that changes whenever this module or importfiles.py does."""
    from mitra.workers.tests import importfiles  # the valid row inside the macro workbook

    sources = Path(__file__).read_bytes() + Path(importfiles.__file__).read_bytes()
    digest = hashlib.sha256(sources).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / f"mitra-hostile-files-{digest}.pickle"
    try:
        return pickle.loads(cache.read_bytes())  # noqa: S301 - our own file, written below
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    files = _build()
    partial = cache.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(pickle.dumps(files))
    partial.replace(cache)  # atomic: a parallel run never reads half a file
    return files


def _build() -> list[tuple[str, str, bytes]]:
    from mitra.workers.tests.importfiles import person

    _valid = person(1)
    many_rows = HEADER + "".join(f"{n};x;y;z;;;;\n" for n in range(300_000))
    return [
        ("zip-bomb-xlsx", "data.xlsx", _xlsx(300 * MiB)),
        ("xxe-xlsx", "data.xlsx", _xlsx(_sheet(_inline_row(1, ["&xxe;", "&ext;"]), XXE))),
        ("billion-laughs-xlsx", "data.xlsx", _xlsx(_sheet(_inline_row(1, ["&a9;"]), LAUGHS))),
        (
            # A valid worker list: only the macro inside makes it hostile.
            "macro-xlsm",
            "data.xlsm",
            _xlsx(
                _sheet(_inline_row(1, list(_valid)) + _inline_row(2, list(_valid.values()))),
                **{"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name" * 50},
            ),
        ),
        ("elf-as-xlsx", "data.xlsx", b"\x7fELF\x02\x01\x01\0" + b"\0" * 4000),
        ("exe-as-csv", "data.csv", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff" + b"\0" * 4000),
        ("empty", "data.csv", b""),
        ("whitespace-only", "data.csv", b"   \r\n\r\n \t \n"),
        ("huge-row-count", "data.csv", many_rows.encode()),
        ("huge-cell", "data.csv", (HEADER + "1;" + "A" * (4 * MiB) + "\n").encode()),
        (
            "broken-encoding",
            "data.csv",
            HEADER.encode() + b"1;\xff\xfe\xc3\x28\xa0\xa1;\xe2\x28\xa1\n",
        ),
        ("utf16-with-nuls", "data.csv", HEADER.encode("utf-16")),
        (
            "csv-injection",
            "data.csv",
            (
                HEADER + f'1;{INJECTION};{INJECTION};L;@SUM(1+1);+1+1;-2+3;=HYPERLINK("x")\n'
            ).encode(),
        ),
        ("path-traversal-name", "../../../../etc/cron.d/mitra.csv", b"a;b\n1;2\n"),
        ("absolute-path-name", "/etc/passwd", b"a;b\n1;2\n"),
        ("png-as-csv", "data.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 100),
        ("pdf-as-xlsx", "data.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"),
        (
            "html-as-xls",
            "data.xls",
            b"<html><script>alert(1)</script><table><tr><td>1</td></tr></table></html>",
        ),
        ("nested-zip", "data.xlsx", _zip({"inner.zip": _zip({"xl/workbook.xml": WORKBOOK})})),
        ("text-as-xlsx", "data.xlsx", b"this is not a zip at all\n"),
        ("truncated-zip", "data.xlsx", _xlsx(_sheet(b""))[:200]),
        ("too-many-entries", "data.xlsx", _zip({f"x/{i}.xml": b"" for i in range(12_000)})),
        ("ods-bomb", "data.ods", _ods(300 * MiB)),
        (
            "ods-xxe",
            "data.ods",
            _ods(b'<?xml version="1.0"?>' + XXE + b"<office:document-content/>"),
        ),
        ("header-only", "data.csv", HEADER.encode()),
        # Right first bytes, wrong content (issue 16): each used to be stored or imported.
        ("png-php-polyglot", "sk.png", b"\x89PNG\r\n\x1a\n" + PHP),
        ("pdf-html-polyglot", "sk.pdf", b"%PDF-1.4\n" + HTML_PAGE),
        ("jpeg-truncated", "foto.jpg", _jpeg()[:300]),
        ("png-pixel-bomb", "foto.png", _png_header(60_000, 60_000)),
        ("svg-as-csv", "data.csv", SVG),
        ("svg", "gambar.svg", SVG),
        ("html-page", "data.csv", b"<!DOCTYPE html>\n" + HTML_PAGE),
    ]


PHP = b"<?php system($_GET['c']); ?>"
HTML_PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<text>No;Nama;NIK</text></svg>"
)


def _jpeg() -> bytes:
    from mitra.testing_files import jpeg_bytes

    return jpeg_bytes(size=(64, 64))


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares a huge canvas in a few bytes (a decompression bomb's header)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
