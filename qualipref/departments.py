"""How a department's name follows “préfecture”: « de la Gironde », « du Val-de-Marne », « de l’Ain ».

French puts the department's article after the preposition: « de » + « le » gives « du », « de » +
« les » gives « des », and a name without an article (La Réunion carries its own, Paris has none,
nor have most « X-et-Y » names) takes « de », or « d’ » before a vowel. The table gives each
department's usual form; a prefecture may set its own (``Prefecture.of_name_fr``).
"""

from django.utils.translation import get_language

# Department code → the preposition and article before its name: "de la ", "du ", "de l’", "des ", "d’", "de ".
PREPOSITIONS = {
    **dict.fromkeys(["01", "02", "03", "07", "09", "10", "11", "12", "27", "34", "36", "38", "60", "61"], "de l’"),
    **dict.fromkeys(["89", "91"], "de l’"),
    **dict.fromkeys(["04", "05", "06", "08", "13", "22", "40", "64", "65", "66", "78", "79", "88", "92"], "des "),
    **dict.fromkeys(["14", "15", "18", "25", "29", "30", "32", "39", "45", "46", "56", "59", "62", "63"], "du "),
    **dict.fromkeys(["67", "68", "69", "81", "83", "90", "94", "95"], "du "),
    **dict.fromkeys(["16", "17", "19", "2A", "2B", "21", "23", "24", "26", "31", "33", "42", "43", "44"], "de la "),
    **dict.fromkeys(["48", "50", "51", "52", "53", "55", "57", "58", "70", "72", "73", "74", "76", "80"], "de la "),
    **dict.fromkeys(["85", "86", "87", "93", "971", "972", "973"], "de la "),
    **dict.fromkeys(["28", "35", "37"], "d’"),
    **dict.fromkeys(["41", "47", "49", "54", "71", "75", "77", "82", "84", "974", "976"], "de "),
}
VOWELS = "AEIOUYÉÈÊÂÎÔaeiouyéèêâîô"


def french_of_name(department_code, name):
    """« de la Gironde »: the name as it follows « préfecture », from the table or the name's first letter."""
    preposition = PREPOSITIONS.get(department_code.upper())
    if preposition is None:
        preposition = "d’" if name[:1] in VOWELS else "de "
    return f"{preposition}{name}"


def of_name(prefecture):
    """The name as it follows “prefecture” in the active language: « du Val-de-Marne », "of Val-de-Marne"."""
    if (get_language() or "fr").startswith("fr"):
        return prefecture.of_name_fr or french_of_name(prefecture.department_code, prefecture.name)
    return f"of {prefecture.name}"
