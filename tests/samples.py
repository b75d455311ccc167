"""Real files of each type the portal accepts, and the builders of the hostile ones the security tests send.

Every upload is decoded, checked and rewritten before it is stored (``qualipref.uploads``): a test file
must be one a viewer opens, not a signature followed by nothing.
"""

import io

from PIL import Image


def pdf_bytes(*objects, trailer=b"", version=b"1.7"):
    """A PDF written by hand with a correct cross-reference table: ``objects`` are the bodies of objects 1, 2…

    Object 1 is the catalogue. Nothing normalises what is given: names stay hex-escaped (``/#4A#53``) as written.
    """
    out = io.BytesIO()
    out.write(b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, trailer, xref))
    return out.getvalue()


# A one-page A4 letter with one line of text in Helvetica.
LETTER_TEXT = b"BT /F1 24 Tf 72 720 Td (Recepisse de depot) Tj ET"
LETTER_OBJECTS = (
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(LETTER_TEXT), LETTER_TEXT),
    b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
)
PDF_BYTES = pdf_bytes(*LETTER_OBJECTS)


def image_bytes(image_format, size=(32, 24), mode="RGB", **options):
    """A small real image (a colour gradient) in ``image_format``, saved by Pillow with ``options``."""
    image = Image.new(mode, size)
    image.putdata([(x * 8 % 256, y * 10 % 256, 128) for y in range(size[1]) for x in range(size[0])])
    output = io.BytesIO()
    image.save(output, image_format, **options)
    return output.getvalue()


PNG_BYTES = image_bytes("PNG")
JPEG_BYTES = image_bytes("JPEG", quality=90)
