# French formats that differ from Django's: thousands are separated by a narrow no-break space (« 1 201 »), the
# French norm (Imprimerie nationale), where Django puts a full no-break space. The rest is Django's.
THOUSAND_SEPARATOR = "\u202f"
