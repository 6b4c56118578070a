"""Small real files for upload tests: uploads are parsed (core.uploads), so a signature followed
by zeros no longer passes as a picture or a PDF."""

import io


def png_bytes(size=(4, 3), color=(200, 30, 30), **info) -> bytes:
    """A real PNG; `info` becomes text chunks (where a polyglot hides its script)."""
    from PIL import Image, PngImagePlugin

    meta = PngImagePlugin.PngInfo()
    for key, value in info.items():
        meta.add_text(key, value)
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", pnginfo=meta)
    return out.getvalue()


def jpeg_bytes(size=(4, 3), color=(30, 200, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG")
    return out.getvalue()


def pdf_bytes(pages: int = 1) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
