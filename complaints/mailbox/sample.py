"""A citizen's e-mail to a prefecture's mailbox, for the demonstration (``manage.py mailbox_deliver_sample``): text and
HTML alternatives, a photo that is kept and an Outlook ``winmail.dat`` that the upload checks refuse."""

import io
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone
from PIL import Image

TEXT = """Bonjour,

Ce matin, j'ai attendu plus de deux heures au guichet des titres de séjour, sans ticket ni information sur l'attente.
L'écran d'appel était en panne et personne n'a pu me dire quand je serais reçue. Je joins la photo de la file.

Je souhaite savoir comment obtenir un rendez-vous pour retirer mon titre.

Cordialement,
Aïcha Ben Saïd
"""


def sample_message(mailbox):
    """The bytes of a new sample message to ``mailbox`` (a new Message-ID each time)."""
    message = EmailMessage()
    message["From"] = "Aïcha Ben Saïd <aicha.bensaid@example.org>"
    message["To"] = mailbox.address
    message["Subject"] = "Deux heures d'attente au guichet des titres de séjour"
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain="example.org")
    message.set_content(TEXT)
    message.add_alternative("".join(f"<p>{line}</p>" for line in TEXT.split("\n") if line), subtype="html")
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (0, 83, 179)).save(photo, "PNG")
    message.add_attachment(photo.getvalue(), maintype="image", subtype="png", filename="file-d-attente.png")
    tnef = b"\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00\x04\x00\x00\x00\x00\x00\x01\x00\x01\x00"
    message.add_attachment(tnef, maintype="application", subtype="ms-tnef", filename="winmail.dat")
    return message.as_bytes()
