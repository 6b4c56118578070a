"""Uploaded pictures and PDFs (decree scans, worker photos, award portfolios, event materials):
accepted by their content, never by their name, the browser's word or their first bytes alone.

A file that starts like a PNG may carry a PHP script or HTML after the signature (a polyglot), so
an image is decoded in full by Pillow and stored re-encoded: only the pixels survive, not comments,
trailing bytes or the camera's location. A PDF must open in pypdf and have at least one page. What
does not parse is refused before anything is stored, with the reason in the user's language."""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _

# The first bytes of each file type we accept: the name and the browser's word are not trusted.
MAGIC = {
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "pdf": (b"%PDF-",),
}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}
PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}
# A 48-megapixel phone photo fits; a decompression bomb (a tiny file declaring a huge canvas)
# is refused from its header, before its pixels are decoded.
MAX_PIXELS = 50_000_000
MAX_PDF_PAGES = 500


def sniff(head: bytes) -> str | None:
    """The file type ('jpg', 'png', 'pdf') its first bytes show, or None."""
    for ext, signatures in MAGIC.items():
        if any(head.startswith(sig) for sig in signatures):
            return ext
    return None


def file_type(stored_file) -> str | None:
    """The type of a stored file, read from its first bytes (stored files were checked on upload)."""
    with stored_file.open("rb") as fh:
        return sniff(fh.read(8))


def _not_real(kinds_label) -> ValidationError:
    return ValidationError(
        _("This file is not a real %(kinds)s file. Choose another file.") % {"kinds": kinds_label},
        code="type",
    )


def reencoded_image(data: bytes, kind: str, kinds_label) -> bytes:
    """The picture decoded in full and written again (PNG stays PNG, JPEG stays JPEG); refused when
    it does not decode, is of another type than its signature, or is too large a canvas."""
    from PIL import Image, ImageOps

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != PIL_FORMATS[kind]:
                    raise _not_real(kinds_label)
                if probe.width * probe.height > MAX_PIXELS:
                    raise ValidationError(
                        _("The picture is too large (%(mp)s megapixels); the limit is 50.")
                        % {"mp": probe.width * probe.height // 1_000_000},
                        code="pixels",
                    )
                probe.verify()  # chunk checksums, structure; the image is unusable afterwards
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # every pixel: a truncated or corrupt stream fails here
                # Turned as the camera meant it: the EXIF orientation does not survive re-encoding.
                image = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                if kind == "jpg":
                    if image.mode not in ("RGB", "L", "CMYK"):
                        image = image.convert("RGB")
                    image.save(out, "JPEG", quality=90)
                else:
                    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
                        image = image.convert("RGBA")
                    image.save(out, "PNG", optimize=False)
    except ValidationError:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        TypeError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise _not_real(kinds_label) from exc
    return out.getvalue()


def check_pdf(data: bytes, kinds_label) -> None:
    """Refuse what pypdf cannot open, a PDF without pages and one locked with a password."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("The PDF is locked with a password. Save it without a password and try again."),
                code="encrypted",
            )
        pages = len(reader.pages)
        if pages == 0:
            raise _not_real(kinds_label)
        if pages > MAX_PDF_PAGES:
            raise ValidationError(
                _("The PDF has %(n)d pages; at most %(max)d are accepted.")
                % {"n": pages, "max": MAX_PDF_PAGES},
                code="pages",
            )
    except ValidationError:
        raise
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise _not_real(kinds_label) from exc
    except RecursionError as exc:  # a page tree that points at itself
        raise _not_real(kinds_label) from exc


def check_upload(upload, allowed: tuple[str, ...], max_bytes: int, kinds_label):
    """Accept an uploaded file only when its content is one of `allowed`, parses as such and it is
    small enough; give it a random name (a file name often holds the person's name or NIK).
    Returns the file to store: a picture comes back re-encoded."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {
                "size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","),
                "limit": max_bytes // (1024 * 1024),
            },
            code="size",
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    kind = sniff(data[:8])
    if kind not in allowed or len(data) > max_bytes:
        raise _not_real(kinds_label)
    name = f"{uuid.uuid4().hex}.{kind}"
    if kind == "pdf":
        check_pdf(data, kinds_label)
        upload.name = name
        return upload
    return SimpleUploadedFile(name, reencoded_image(data, kind, kinds_label), CONTENT_TYPES[kind])
