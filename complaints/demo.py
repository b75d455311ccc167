"""Demo cases: a few hundred realistic complaints and suggestions in every status, with their thread.

La Réunion gets about 300 cases, the other demo prefectures about 60 each, received over the
last fourteen months, most of the older ones closed, a few overdue, assigned to the demo
officers (and, for residence permits in La Réunion, to the demo service agent).

Written with ``bulk_create`` (a second or two on SQLite), outside the services: the demo
sends no e-mail. References follow the order of receipt with no gap, and each prefecture's
``CaseSequence`` is set to the last number used, so new submissions continue the series.
A prefecture that already has cases is left as it is, which makes the loader idempotent and
keeps it from ever mixing with real or hand-entered cases. Random choices come from a
``random.Random`` seeded per prefecture: the same day gives the same data.
"""

# ruff: noqa: E501 (the citizens' and officers' texts below are kept one per line, as written)
import copy
import datetime
import random
import unicodedata
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from qualipref.calendar import add_working_days, is_working_day, working_days_between
from qualipref.demo import ACCOUNTS, PREFECTURES
from qualipref.enums import Role
from qualipref.models import Prefecture, User

from .enums import Channel, DefaultTopic, Kind, MessageKind, Status
from .models import AnswerTemplate, Case, CaseSequence, Citizen, Mailbox, Message, RoutingRule, Topic, Transition
from .topics import topics_create_defaults
from .workflow import FINAL_STATUSES, INITIAL_STATUS

S, T = Status, DefaultTopic
SEED = "qualipref-demo-cases"
CASES_PER_PREFECTURE = {"974": 300}
DEFAULT_CASES = 60
SPAN_DAYS = 425  # about fourteen months

# How many cases of each status for 250 complaints and 50 suggestions (scaled for smaller
# prefectures, at least one of each); the last of each list takes the remainder.
COMPLAINT_PLAN = [
    (S.NEW, 10),
    (S.ACKNOWLEDGED, 15),
    (S.IN_PROGRESS, 25),
    (S.WAITING_CITIZEN, 10),
    (S.TRANSFERRED, 6),
    (S.REOPENED, 5),
    (S.ANSWERED, 20),
    (S.REJECTED, 9),
    (S.CLOSED, 150),
]
SUGGESTION_PLAN = [
    (S.RECEIVED, 6),
    (S.UNDER_REVIEW, 10),
    (S.FORWARDED_TO_COMMITTEE, 8),
    (S.ACCEPTED, 12),
    (S.DECLINED, 14),
]
# Received this many days ago (inclusive range): what is still open is recent.
AGE_DAYS = {
    S.NEW: (0, 4),
    S.ACKNOWLEDGED: (1, 22),
    S.IN_PROGRESS: (3, 26),
    S.WAITING_CITIZEN: (5, 40),
    S.TRANSFERRED: (2, 20),
    S.REOPENED: (25, 60),
    S.ANSWERED: (4, 26),
    S.REJECTED: (2, SPAN_DAYS),
    S.CLOSED: (20, SPAN_DAYS),
    S.RECEIVED: (0, 12),
    S.UNDER_REVIEW: (5, 30),
    S.FORWARDED_TO_COMMITTEE: (20, 200),
    S.ACCEPTED: (30, SPAN_DAYS),
    S.DECLINED: (30, SPAN_DAYS),
}
# The path from the initial status to each status (see OPTIONAL_STEPS for the "…?" steps).
PATHS = {
    S.NEW: [],
    S.ACKNOWLEDGED: [S.ACKNOWLEDGED],
    S.IN_PROGRESS: [S.ACKNOWLEDGED, S.IN_PROGRESS],
    S.WAITING_CITIZEN: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING_CITIZEN],
    S.TRANSFERRED: [S.ACKNOWLEDGED, S.TRANSFERRED],
    S.ANSWERED: [S.ACKNOWLEDGED, S.IN_PROGRESS, "wait?", S.ANSWERED],
    S.CLOSED: [S.ACKNOWLEDGED, S.IN_PROGRESS, "wait?", S.ANSWERED, S.CLOSED],
    S.REOPENED: [S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED, S.REOPENED],
    S.REJECTED: [S.REJECTED],
    S.RECEIVED: [],
    S.UNDER_REVIEW: [S.UNDER_REVIEW],
    S.FORWARDED_TO_COMMITTEE: [S.UNDER_REVIEW, S.FORWARDED_TO_COMMITTEE],
    S.ACCEPTED: [S.UNDER_REVIEW, "committee?", S.ACCEPTED],
    S.DECLINED: [S.UNDER_REVIEW, "committee?", S.DECLINED],
}
# Optional steps of a path, and what their duration is counted as.
OPTIONAL_STEPS = {"wait?": "resume", "committee?": S.FORWARDED_TO_COMMITTEE}
# Hours from one step to the next.
STEP_HOURS = {
    S.ACKNOWLEDGED: (2, 48),
    S.IN_PROGRESS: (4, 96),
    S.WAITING_CITIZEN: (24, 120),
    S.ANSWERED: (48, 240),
    S.CLOSED: (168, 720),
    S.REOPENED: (48, 360),
    S.TRANSFERRED: (1, 72),
    S.REJECTED: (1, 72),
    S.UNDER_REVIEW: (24, 168),
    S.FORWARDED_TO_COMMITTEE: (120, 720),
    S.ACCEPTED: (240, 1440),
    S.DECLINED: (240, 1440),
    "resume": (48, 240),  # the citizen sends what was asked for
}

# fmt: off
# --- what citizens write -------------------------------------------------------------------------
# Per service (names from qualipref.demo.SERVICES): (topic, subject, description). The
# placeholders are filled with varied values (see ``_fill``).
COMPLAINTS = {
    "Titres de séjour": [
        (T.PROCESSING_TIME, "Renouvellement de titre de séjour sans nouvelles", "J’ai déposé ma demande de renouvellement de titre de séjour il y a {semaines} semaines sur le site de l’ANEF et je n’ai reçu aucune réponse. Mon attestation de prolongation d’instruction expire bientôt et mon employeur me demande un justificatif. Pouvez-vous me dire où en est mon dossier ?"),
        (T.COUNTER, "Attente interminable au guichet des étrangers", "J’avais rendez-vous à {heure} au guichet des titres de séjour ({site}). J’ai attendu plus de {heures} heures avant d’être reçu, sans aucune information sur le retard. Des personnes âgées attendaient debout dehors, au soleil."),
        (T.WEBSITE, "Impossible d’obtenir un rendez-vous en ligne", "Depuis {semaines} semaines je me connecte chaque jour pour prendre rendez-vous afin de retirer mon titre de séjour, mais aucun créneau n’est jamais disponible. Comment faire ? Mon récépissé expire le mois prochain."),
        (T.PHONE, "Personne ne répond au téléphone du service des étrangers", "J’ai appelé le service des titres de séjour plus de {appels} fois cette semaine, à des heures différentes. Soit la ligne sonne dans le vide, soit un message dit que le service est saturé et la communication est coupée."),
        (T.DECISION, "Contestation d’un refus de titre de séjour", "J’ai reçu un refus de renouvellement de ma carte de séjour « vie privée et familiale ». Je ne comprends pas le motif : j’avais fourni tous les justificatifs demandés, dont {pieces} pièces sur ma situation familiale. Je souhaite que mon dossier soit réexaminé."),
        (T.MAIL, "Convocation reçue après la date du rendez-vous", "La convocation pour la prise de mes empreintes m’est parvenue par courrier trois jours après la date du rendez-vous. Je demande un nouveau rendez-vous sans devoir tout recommencer."),
        (T.PROCESSING_TIME, "Titre de séjour annoncé disponible mais introuvable", "Un SMS m’a annoncé il y a {semaines} semaines que mon titre de séjour était prêt. Je me suis déplacé deux fois ({site}) et on m’a répondu qu’il était introuvable."),
    ],
    "Permis de conduire": [
        (T.PROCESSING_TIME, "Échange de permis étranger en attente depuis des mois", "J’ai demandé l’échange de mon permis de conduire {pays} contre un permis français il y a {mois} mois. L’attestation de dépôt ne me permet ni de louer une voiture ni de reprendre mon travail de livreur."),
        (T.WEBSITE, "Demande de permis bloquée sur le site de l’ANTS", "Ma demande de titre après réussite à l’examen est bloquée « en cours d’instruction » depuis {semaines} semaines. Le site ne permet pas d’envoyer de message et le numéro indiqué ne répond pas."),
        (T.DECISION, "Suspension de permis : demande d’explications", "J’ai reçu un arrêté de suspension de mon permis de conduire pour une infraction que je conteste. Je souhaite savoir comment consulter le dossier et quels sont les délais de recours."),
        (T.COUNTER, "Point d’accueil numérique fermé sans prévenir", "Je suis venu au point d’accueil numérique ({site}) pour être aidé dans ma demande de permis : il était fermé, sans affichage sur la porte ni information sur le site internet. J’ai pris une demi-journée de congé pour rien."),
        (T.PHONE, "Aucune réponse du service des permis de conduire", "Je cherche à joindre le service des permis de conduire depuis {semaines} semaines au sujet de mon permis international. J’ai attendu {minutes} minutes au téléphone avant que la ligne coupe."),
        (T.MAIL, "Permis de conduire jamais reçu", "D’après le suivi, mon permis de conduire a été expédié il y a {semaines} semaines, mais je ne l’ai jamais reçu. Le bureau de poste me renvoie vers la préfecture."),
    ],
    "Certificats d’immatriculation": [
        (T.PROCESSING_TIME, "Carte grise en attente depuis l’achat du véhicule", "J’ai acheté un véhicule d’occasion il y a {semaines} semaines et ma demande de certificat d’immatriculation est toujours en cours. Le certificat provisoire expire bientôt et je ne pourrai plus rouler."),
        (T.WEBSITE, "Erreur du site au changement de titulaire", "Au moment de payer la taxe, le site affiche une erreur et ma demande de changement de titulaire reste bloquée. J’ai essayé {appels} fois, sur ordinateur et sur téléphone."),
        (T.DECISION, "Immatriculation d’un véhicule importé refusée", "Ma demande d’immatriculation d’un véhicule importé a été refusée pour un document manquant que j’avais pourtant joint (le quitus fiscal). Je demande le réexamen de mon dossier."),
        (T.EMAIL, "Courriel resté sans réponse", "J’ai écrit au service des cartes grises il y a {semaines} semaines au sujet d’une erreur d’adresse sur mon certificat ; je n’ai reçu ni réponse ni accusé de réception."),
        (T.COUNTER, "Renvoyé d’un guichet à l’autre", "On m’a envoyé d’un guichet à l’autre toute la matinée ({site}) pour une simple question sur ma carte grise, avant de me dire que tout se fait en ligne."),
    ],
    "Accueil général": [
        (T.COUNTER, "Accueil désagréable", "J’ai été reçu très sèchement à l’accueil ({site}). L’agent a refusé de répondre à ma question et m’a dit de « chercher sur internet ». Je n’ai pas d’ordinateur."),
        (T.COUNTER, "Pas de places assises dans la salle d’attente", "J’ai attendu {heures} heures debout dans la salle d’attente ({site}), avec mon bébé, faute de chaises. Il n’y avait pas non plus de point d’eau."),
        (T.PHONE, "Standard téléphonique injoignable", "Le standard de la préfecture ne répond jamais le matin. J’ai patienté {minutes} minutes avant que la communication soit coupée, et cela trois jours de suite."),
        (T.COUNTER, "Accès impossible en fauteuil roulant", "L’ascenseur ({site}) était en panne et aucun agent n’a pu descendre me recevoir au rez-de-chaussée. J’ai dû repartir sans avoir pu faire ma démarche."),
        (T.WEBSITE, "Horaires erronés sur le site internet", "Le site internet indique que l’accueil est ouvert le mercredi après-midi ; je me suis déplacé pour rien, la porte était fermée."),
        (T.MAIL, "Courrier recommandé resté sans réponse", "J’ai adressé un courrier recommandé à la préfecture il y a {semaines} semaines et je n’ai toujours reçu aucune réponse."),
    ],
    "Naturalisations": [
        (T.PROCESSING_TIME, "Naturalisation : aucune nouvelle depuis l’entretien", "Mon entretien d’assimilation a eu lieu il y a {mois} mois et je n’ai reçu aucune information depuis. Le site indique toujours « en cours d’instruction »."),
        (T.COUNTER, "Entretien de naturalisation annulé le jour même", "Je suis venu de loin pour mon entretien de naturalisation ; on m’a annoncé à l’accueil qu’il était annulé, sans autre date proposée."),
        (T.DECISION, "Ajournement de ma demande de naturalisation", "Ma demande a été ajournée de deux ans pour insuffisance de ressources, alors que je travaille en CDI depuis {mois} mois. Je demande des explications."),
        (T.EMAIL, "Pièces complémentaires non prises en compte", "J’ai envoyé par courriel les pièces complémentaires demandées il y a {semaines} semaines ; on me les redemande aujourd’hui comme si je n’avais rien envoyé."),
    ],
}
SUGGESTIONS = [
    ("Rendez-vous le samedi matin", "Beaucoup de personnes travaillent en semaine : ouvrir quelques rendez-vous le samedi matin éviterait de poser des jours de congé."),
    ("Écran d’appel des numéros", "Un écran qui affiche le numéro appelé et le guichet éviterait que les personnes malentendantes manquent leur tour."),
    ("Rappel par SMS la veille du rendez-vous", "Un SMS la veille du rendez-vous rappellerait l’heure et les pièces à apporter ; beaucoup viennent sans le bon document."),
    ("Abri et point d’eau pour la file extérieure", "La file d’attente se forme dehors dès 6 h : un abri contre le soleil et la pluie et un point d’eau seraient bienvenus."),
    ("Un coin enfants dans la salle d’attente", "Quelques jeux et une table à langer aideraient les parents qui n’ont pas de mode de garde pendant les démarches."),
    ("Formulaires traduits", "Les formulaires et la signalétique pourraient être traduits en plusieurs langues pour les personnes étrangères."),
    ("Un numéro dédié aux titres de séjour", "Une ligne téléphonique réservée aux questions sur les titres de séjour désengorgerait le standard."),
    ("Dépôt des pièces complémentaires en ligne", "Pouvoir envoyer les pièces demandées en ligne éviterait un déplacement et les pertes de courrier."),
    ("Point numérique ouvert à midi", "Le point d’accueil numérique ferme entre midi et deux, justement quand les personnes qui travaillent peuvent venir."),
    ("Temps d’attente en direct sur le site", "Afficher le temps d’attente aux guichets sur le site internet permettrait de choisir le meilleur moment pour venir."),
    ("Permanences cartes grises en sous-préfecture", "Une permanence mensuelle en sous-préfecture pour aider aux démarches de carte grise éviterait de longs trajets."),
    ("File prioritaire", "Une file prioritaire pour les personnes âgées, handicapées et les femmes enceintes serait appréciée."),
]
FIRST_NAMES = [
    "Marie", "Jean", "Sandrine", "Patrick", "Nathalie", "Thierry", "Fatima", "Ibrahim", "Aïcha", "Kévin",
    "Mélissa", "Sophie", "Nicolas", "Laetitia", "Olivier", "Chantal", "Mamadou", "Aminata", "Linh", "Rémi",
    "Josiane", "Mickaël", "Yasmina", "Gérard", "Océane", "Dylan", "Anaïs", "Karim", "Lucie", "Hervé",
]
LAST_NAMES = {
    "974": ["Payet", "Hoarau", "Grondin", "Fontaine", "Técher", "Rivière", "Boyer", "Dijoux", "Maillot", "Nativel",
            "Bègue", "Ah-Hong", "Moutou", "Ramassamy", "Mussard", "Turpin", "Lauret", "Cadet", "Sautron", "Valy"],
    "971": ["Lubin", "Jean-Baptiste", "Bourgeois", "Calvados", "Dacalor", "Ferdinand", "Ismaël", "Jacoby-Koaly",
            "Nicolas", "Pierre-Louis", "Romain", "Selbonne", "Thôle", "Vingadassamy", "Zami", "Bajazet"],
    "": ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
         "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Benali", "Nguyen", "Diallo", "Mercier", "Schmitt"],
}
COUNTRIES = ["marocain", "algérien", "malgache", "comorien", "mauricien", "tunisien", "sénégalais", "brésilien"]
PIECES = [
    "la copie recto verso de votre titre de séjour",
    "un justificatif de domicile de moins de trois mois",
    "le certificat de cession du véhicule",
    "votre numéro de dossier ANTS",
    "la copie de votre récépissé",
    "une photo d’identité récente (norme ISO)",
]

# --- what the prefecture writes --------------------------------------------------------------------
ANSWER_TEMPLATES = [
    ("Accusé de réception", Kind.COMPLAINT, "Bonjour {nom},\n\nNous avons bien reçu le {date_reception} votre demande enregistrée sous la référence {reference}. Elle est confiée au service {service}, qui vous répondra dans les meilleurs délais.\n\nCordialement,\n{signature}"),
    ("Réponse – délai de titre de séjour", Kind.COMPLAINT, "Bonjour {nom},\n\nVous nous avez écrit le {date_reception} au sujet du délai de traitement de votre demande de titre de séjour (référence {reference}). Votre dossier est complet et en cours d’examen par le service {service}. Votre attestation de prolongation d’instruction vous permet de séjourner et de travailler régulièrement jusqu’à la décision ; elle est renouvelée automatiquement si nécessaire.\n\nNous vous prions de nous excuser pour ce délai.\n\n{signature}"),
    ("Demande de pièce complémentaire", Kind.COMPLAINT, "Bonjour {nom},\n\nPour poursuivre l’examen de votre demande {reference}, reçue le {date_reception}, le service {service} a besoin d’une pièce complémentaire : [préciser la pièce]. Vous pouvez nous l’envoyer par votre lien de suivi.\n\nLe délai de réponse est suspendu jusqu’à réception de ce document.\n\n{signature}"),
    ("Réponse – excuses pour l’accueil", Kind.COMPLAINT, "Bonjour {nom},\n\nNous avons bien reçu votre réclamation {reference} du {date_reception} et vous présentons nos excuses pour l’accueil que vous avez reçu. Votre remarque a été transmise au responsable du service {service}, et un rappel des règles d’accueil a été fait à l’équipe.\n\n{signature}"),
    ("Réponse à une suggestion", Kind.SUGGESTION, "Bonjour,\n\nMerci pour votre suggestion {reference} du {date_reception}. Elle a été étudiée par le service {service} et sera présentée au comité local des usagers.\n\n{signature}"),
]
_ANSWER_READY = "Bonjour {nom},\n\nVotre réclamation {reference} a été examinée. Votre dossier a été traité et votre titre est disponible : vous pouvez le retirer sans rendez-vous du lundi au vendredi de 8 h à 12 h.\n\nNous vous prions de nous excuser pour le délai.\n\n{signature}"
_ANSWER_UNBLOCKED = "Bonjour {nom},\n\nLe blocage de votre démarche {reference} a été levé et votre dossier avance : vous recevrez la suite par courriel sous dix jours.\n\n{signature}"
_ANSWER_APOLOGY = "Bonjour {nom},\n\nNous vous présentons nos excuses pour l’accueil que vous avez reçu. Votre remarque a été transmise au responsable du service et un rappel des règles d’accueil a été fait à l’équipe.\n\n{signature}"
_ANSWER_APPOINTMENT = "Bonjour {nom},\n\nUn nouveau rendez-vous vous a été attribué ; la convocation vous a été envoyée par courriel. Nous vous prions de nous excuser pour ce contretemps.\n\n{signature}"
_ANSWER_DECISION = "Bonjour {nom},\n\nVotre demande {reference} a été réexaminée. La décision est maintenue pour les motifs indiqués dans le courrier joint ; les voies de recours y sont rappelées.\n\n{signature}"
_ANSWER_INFO = "Bonjour {nom},\n\nMerci pour votre message {reference}. Les informations ont été corrigées et vous recevrez une réponse écrite du service sous quinze jours.\n\n{signature}"
ANSWERS = {
    T.PROCESSING_TIME: [_ANSWER_READY, _ANSWER_UNBLOCKED],
    T.WEBSITE: [_ANSWER_UNBLOCKED, _ANSWER_INFO],
    T.COUNTER: [_ANSWER_APOLOGY, _ANSWER_APPOINTMENT],
    T.PHONE: [_ANSWER_APOLOGY, _ANSWER_INFO],
    T.DECISION: [_ANSWER_DECISION],
    T.MAIL: [_ANSWER_APPOINTMENT, _ANSWER_INFO],
    T.EMAIL: [_ANSWER_INFO],
}
REQUEST = "Bonjour {nom},\n\nPour poursuivre l’examen de votre demande {reference}, merci de nous transmettre {piece} par votre lien de suivi.\n\n{signature}"
CITIZEN_REPLIES = [
    "Bonjour, voici le document demandé. Merci d’avance.",
    "Je vous ai envoyé la pièce par courrier hier, et la voici aussi en ligne.",
    "Voici la copie demandée. Je reste disponible par téléphone.",
]
REOPENING = [
    "Merci pour votre réponse, mais je n’ai toujours pas reçu mon titre.",
    "Votre réponse ne correspond pas à ma demande : je parlais du rendez-vous annulé.",
    "Je suis passé au guichet comme indiqué, mais on m’a dit de revenir la semaine prochaine.",
]
NOTES = [
    "Dossier vérifié dans l’application métier : en attente de fabrication.",
    "Appelé l’usager : message laissé sur le répondeur.",
    "Voir avec le chef de bureau avant de répondre.",
    "Relance faite auprès de l’ANTS.",
    "Réclamation similaire reçue la semaine dernière : point à remonter au comité.",
]
SUGGESTION_NOTES = [
    "À présenter au prochain comité local des usagers.",
    "Idée déjà évoquée en réunion de service : chiffrer le coût.",
    "Voir avec le service immobilier si c’est faisable.",
]
REJECTIONS = [
    "Message publicitaire (spam).",
    "Hors du champ de compétence de la préfecture : relève de la mairie.",
    "Doublon d’une demande déjà traitée.",
    "Message sans rapport avec un service de la préfecture.",
]
TRANSFER_NOTE = "Relève du service {service}."
PUBLIC_REPLIES = {
    S.FORWARDED_TO_COMMITTEE: "Merci : votre suggestion sera présentée au comité local des usagers lors de sa prochaine réunion.",
    S.ACCEPTED: "Merci pour votre suggestion : elle a été retenue et sera mise en œuvre dans les prochains mois.",
    S.DECLINED: "Merci pour votre proposition. Elle ne peut pas être retenue pour le moment, faute de moyens, mais sera réétudiée l’an prochain.",
}
RATING_COMMENTS = [
    "Réponse rapide et claire, merci.",
    "Enfin une réponse, mais après beaucoup d’attente.",
    "Réponse polie mais qui ne règle pas mon problème.",
    "Très bien, le titre était bien disponible.",
    "",
    "",
]
# fmt: on
CHANNELS = [(Channel.ONLINE, 70), (Channel.EMAIL, 10), (Channel.LETTER, 8), (Channel.PHONE, 7), (Channel.COUNTER, 5)]


def _scaled(plan, total):
    counts = [(status, max(1, round(weight * total / sum(w for _s, w in plan)))) for status, weight in plan]
    counts[-1] = (counts[-1][0], total - sum(count for _s, count in counts[:-1]))
    return [status for status, count in counts for _ in range(count)]


def _ascii(text):
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().replace(" ", "")


def _office_time(rng, moment, prefecture, after):
    """A moment during office hours, on a working day, no earlier than ``after``."""
    day = timezone.localtime(moment, prefecture.tzinfo).date()
    while not is_working_day(day, prefecture):
        day += datetime.timedelta(days=1)
    local = datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)), prefecture.tzinfo)
    return max(local, after + datetime.timedelta(minutes=rng.randint(5, 90)))


class _Builder:
    """Builds one prefecture's cases, transitions and messages in memory, for ``bulk_create``."""

    def __init__(self, prefecture, officer, agent, now):
        self.prefecture, self.officer, self.agent, self.now = prefecture, officer, agent, now
        self.today = timezone.localdate(now, prefecture.tzinfo)
        self.rng = random.Random(f"{SEED}-{prefecture.department_code}")
        self.services = {service.name: service for service in prefecture.services.order_by("name")}
        self.sites = list(prefecture.sites.order_by("kind", "name"))
        self.topics = {topic.code: topic for topic in prefecture.topics.all()}
        self.last_names = LAST_NAMES.get(prefecture.department_code, LAST_NAMES[""])
        self.cases, self.transitions, self.messages = [], defaultdict(list), defaultdict(list)

    def _fill(self, text, case=None, actor=None):
        rng = self.rng
        values = {
            "semaines": rng.randint(3, 16),
            "mois": rng.randint(4, 14),
            "heures": rng.randint(2, 5),
            "heure": f"{rng.randint(8, 11)} h {rng.choice(['00', '15', '30', '45'])}",
            "minutes": rng.choice([25, 35, 40, 50, 55]),
            "appels": rng.randint(6, 20),
            "pieces": rng.randint(8, 15),
            "pays": rng.choice(COUNTRIES),
            "site": rng.choice(self.sites).name if self.sites else self.prefecture.name,
            "piece": rng.choice(PIECES),
        }
        if case is not None:
            values |= {
                "nom": case.name or "Madame, Monsieur",
                "reference": case.reference or "{reference}",
                "service": case.service.name if case.service else self.prefecture.name,
                "signature": f"{actor or self.officer or 'Le service qualité'}\nPréfecture – {self.prefecture.name}",
            }
        return text.format(**values)

    def _citizen(self, case, anonymous_allowed):
        rng = self.rng
        if anonymous_allowed and rng.random() < 0.5:
            return
        first, last = rng.choice(FIRST_NAMES), rng.choice(self.last_names)
        case.name = f"{first} {last}"
        if case.channel in {Channel.ONLINE, Channel.EMAIL} or rng.random() < 0.7:
            case.email = f"{_ascii(first)}.{_ascii(last)}{rng.randint(1, 99)}@example.org"
        if rng.random() < 0.4:
            prefix = {"974": "0692", "971": "0690"}.get(self.prefecture.department_code, "06")
            digits = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(4 if prefix == "06" else 3))
            case.phone = f"{prefix} {digits}"

    def _received(self, status, channel):
        low, high = AGE_DAYS[status]
        received_on = self.today - datetime.timedelta(days=self.rng.randint(low, high))
        if channel == Channel.ONLINE:
            local = datetime.time(self.rng.randint(6, 22), self.rng.randint(0, 59))
            created = datetime.datetime.combine(received_on, local, self.prefecture.tzinfo)
        else:
            while not is_working_day(received_on, self.prefecture):
                received_on -= datetime.timedelta(days=1)
            # Letters, e-mails, calls and visits are entered by an officer, on the day or soon after.
            entered = datetime.datetime.combine(received_on, datetime.time(8), self.prefecture.tzinfo)
            entered += datetime.timedelta(days=self.rng.choice([0, 0, 1, 2]))
            created = _office_time(self.rng, entered, self.prefecture, entered)
        # Early in the day, "today's" case was received just before now, so that its steps can follow.
        created = min(created, self.now - datetime.timedelta(minutes=30))
        return min(received_on, timezone.localdate(created, self.prefecture.tzinfo)), created

    def build(self, kind, status):
        rng = self.rng
        service_name = rng.choice(sorted(COMPLAINTS)) if kind == Kind.COMPLAINT else rng.choice(sorted(self.services))
        service = self.services.get(service_name)
        if kind == Kind.COMPLAINT:
            topic, subject, description = rng.choice(COMPLAINTS[service_name])
            channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
        else:
            subject, description = rng.choice(SUGGESTIONS)
            topic, channel = rng.choice([T.COUNTER, T.WEBSITE, T.PHONE, T.OTHER]), Channel.ONLINE
        received_on, created_at = self._received(status, channel)
        case = Case(
            prefecture=self.prefecture,
            kind=kind,
            channel=channel,
            topic=self.topics[topic],
            service=service,
            site=rng.choice(self.sites) if self.sites and rng.random() < 0.7 else None,
            subject=subject,
            description=self._fill(description),
            status=INITIAL_STATUS[kind],
            received_on=received_on,
            due_on=received_on,
            created_at=created_at,
            consent_at=created_at,
        )
        self._citizen(case, anonymous_allowed=kind == Kind.SUGGESTION)
        if status not in {S.NEW, S.RECEIVED} or rng.random() < 0.3:
            uses_agent = self.agent and service_name == "Titres de séjour" and rng.random() < 0.8
            case.assignee = self.agent if uses_agent else self.officer
        self._story(case, status)
        self.cases.append(case)

    def _story(self, case, final):
        rng, prefecture = self.rng, self.prefecture
        case._history_date = case.created_at
        self.transitions[id(case)].append(Transition(from_status="", to_status=case.status, at=case.created_at))
        at = case.created_at
        steps = [step for step in PATHS[final] if step not in OPTIONAL_STEPS or rng.random() < 0.35]
        span = max(datetime.timedelta(hours=1), self.now - at)
        planned = sum(STEP_HOURS[OPTIONAL_STEPS.get(step, step)][1] for step in steps) or 1
        squeeze = min(1.0, span.total_seconds() / 3600 / planned * 0.9)  # every step before now
        actor = case.assignee or self.officer
        for step in steps:
            if step == "wait?":
                at = self._step(case, S.WAITING_CITIZEN, at, squeeze, actor)
                at = self._step(case, S.IN_PROGRESS, at, squeeze, None, hours="resume")
                continue
            if step == "committee?":
                at = self._step(case, S.FORWARDED_TO_COMMITTEE, at, squeeze, actor)
                continue
            at = self._step(case, step, at, squeeze, None if step == S.REOPENED else actor)
        case.due_on = add_working_days(
            case.received_on, prefecture.answer_deadline_working_days + case.paused_working_days, prefecture
        )
        if case.is_open and case.status != S.WAITING_CITIZEN and rng.random() < 0.3:
            note_at = _office_time(rng, at + datetime.timedelta(hours=rng.randint(1, 48)), prefecture, at)
            notes = NOTES if case.kind == Kind.COMPLAINT else SUGGESTION_NOTES
            self.messages[id(case)].append(
                Message(kind=MessageKind.NOTE, author=actor, body=rng.choice(notes), created_at=min(note_at, self.now))
            )
        rated = case.kind == Kind.COMPLAINT and case.status in {S.ANSWERED, S.CLOSED} and rng.random() < 0.45
        if rated and case.answered_at:
            case.rating = rng.choices([1, 2, 3, 4, 5], [5, 10, 20, 35, 30])[0]
            case.rating_comment = rng.choice(RATING_COMMENTS)
            case.rated_at = min(self.now, case.answered_at + datetime.timedelta(hours=rng.randint(2, 240)))

    def _step(self, case, to, at, squeeze, actor, hours=None):
        rng, prefecture = self.rng, self.prefecture
        low, high = STEP_HOURS[hours or to]
        moment = at + datetime.timedelta(hours=rng.uniform(low, high) * squeeze)
        if actor is not None:  # officers work office hours; citizens write when they can
            moment = _office_time(rng, moment, prefecture, at)
        moment = max(at, min(moment, self.now - datetime.timedelta(minutes=1)))  # in order, before now
        day = timezone.localdate(moment, prefecture.tzinfo)
        note, messages = "", self.messages[id(case)]
        if case.status == S.WAITING_CITIZEN:
            case.paused_working_days += working_days_between(case.waiting_since, day, prefecture)
            case.waiting_since = None
            messages.append(Message(kind=MessageKind.CITIZEN, body=rng.choice(CITIZEN_REPLIES), created_at=moment))
        if to == S.ACKNOWLEDGED:
            case.acknowledged_at = moment
        elif to == S.WAITING_CITIZEN:
            case.waiting_since = day
            messages.append(
                Message(
                    kind=MessageKind.REQUEST, author=actor, body=self._fill(REQUEST, case, actor), created_at=moment
                )
            )
        elif to == S.ANSWERED:
            case.answered_at = moment
            body = self._fill(rng.choice(ANSWERS.get(case.topic.code, [_ANSWER_INFO])), case, actor)
            messages.append(Message(kind=MessageKind.ANSWER, author=actor, body=body, created_at=moment))
        elif to == S.REOPENED:
            messages.append(Message(kind=MessageKind.CITIZEN, body=rng.choice(REOPENING), created_at=moment))
        elif to == S.REJECTED:
            case.rejection_reason = note = rng.choice(REJECTIONS)
        elif to == S.TRANSFERRED:
            others = [service for name, service in self.services.items() if service != case.service]
            case.service = rng.choice(others) if others else case.service
            case.assignee = None
            note = TRANSFER_NOTE.format(service=case.service.name if case.service else self.prefecture.name)
        elif to in PUBLIC_REPLIES and rng.random() < 0.6:
            case.public_reply = PUBLIC_REPLIES[to]
            messages.append(Message(kind=MessageKind.ANSWER, author=actor, body=case.public_reply, created_at=moment))
        case.closed_at = moment if to in FINAL_STATUSES else None
        self.transitions[id(case)].append(
            Transition(from_status=case.status, to_status=to, by=actor, note=note, at=moment)
        )
        case.status = to
        return moment

    def number(self):
        """References in order of receipt, continuing each year's sequence. Returns ``{year: last number}``."""
        last = dict(CaseSequence.objects.filter(prefecture=self.prefecture).values_list("year", "last_number"))
        for case in sorted(self.cases, key=lambda case: (case.received_on, case.created_at)):
            year = case.received_on.year
            last[year] = last.get(year, 0) + 1
            case.reference = f"{self.prefecture.department_code}-{year}-{last[year]:06d}"
        # Placeholders filled before numbering ("{reference}") get the real reference now.
        for case in self.cases:
            for message in self.messages[id(case)]:
                message.body = message.body.replace("{reference}", case.reference)
        return last


def _demo_user(email):
    return User.objects.filter(email=email).first()


def _staff_for(department_code):
    """The demo quality officer and service agent of a prefecture (either may be missing)."""
    officer = agent = None
    for email, _first, _last, role, department, _service in ACCOUNTS:
        if department == department_code and role == Role.QUALITY_OFFICER:
            officer = _demo_user(email)
        elif department == department_code and role == Role.SERVICE_AGENT:
            agent = _demo_user(email)
    return officer, agent


def answer_templates_ensure(prefecture):
    """The demo answer templates, created once: an officer's later edits are kept."""
    for title, kind, body in ANSWER_TEMPLATES:
        AnswerTemplate.objects.get_or_create(prefecture=prefecture, title=title, defaults={"kind": kind, "body": body})


def build_prefecture_cases(prefecture, count, now):
    """The demo cases of ``prefecture``, built and numbered in memory (nothing saved yet)."""
    officer, agent = _staff_for(prefecture.department_code)
    builder = _Builder(prefecture, officer, agent, now)
    suggestions = round(count / 6)
    plan = [(Kind.COMPLAINT, s) for s in _scaled(COMPLAINT_PLAN, count - suggestions)]
    plan += [(Kind.SUGGESTION, s) for s in _scaled(SUGGESTION_PLAN, suggestions)]
    for kind, status in plan:
        builder.build(kind, status)
    builder.last_numbers = builder.number()
    return builder


@transaction.atomic
def load_prefecture_cases(prefecture, count, now=None):
    """Fill an empty prefecture with ``count`` demo cases. Returns how many were created (0 if it had cases)."""
    if Case.objects.filter(prefecture=prefecture).exists():
        return 0
    builder = build_prefecture_cases(prefecture, count, now or timezone.now())

    cases = Case.objects.bulk_create(builder.cases, batch_size=500)
    # Two history rows per case: as it was received, and as it is now.
    received = []
    for case in cases:
        initial = copy.copy(case)
        initial.status, initial.assignee = INITIAL_STATUS[case.kind], None
        initial.acknowledged_at = initial.answered_at = initial.closed_at = initial.rated_at = initial.rating = None
        initial.rating_comment = initial.rejection_reason = initial.public_reply = ""
        initial._history_date = case.created_at
        received.append(initial)
        case._history_date = max(t.at for t in builder.transitions[id(case)])
    Case.history.bulk_history_create(received, batch_size=500)
    Case.history.bulk_history_create(
        [c for c in cases if c.status != INITIAL_STATUS[c.kind]], batch_size=500, update=True
    )

    transitions, messages = [], []
    for case in cases:
        for transition in builder.transitions[id(case)]:
            transition.case = case
            transitions.append(transition)
        for message in builder.messages[id(case)]:
            message.case = case
            messages.append(message)
    Transition.objects.bulk_create(transitions, batch_size=1000)
    Message.objects.bulk_create(messages, batch_size=1000)
    for year, last_number in builder.last_numbers.items():
        CaseSequence.objects.update_or_create(prefecture=prefecture, year=year, defaults={"last_number": last_number})
    return len(cases)


# La Réunion's own topics, beyond the defaults: one added, one archived (the form no longer offers it).
DEMO_TOPICS = {
    "974": [
        ("accessibilite", "Accessibilité des locaux", "Accessibility of the premises", 9, False),
        ("rendez-vous-covid", "Rendez-vous (période sanitaire)", "Appointments (health crisis)", 10, True),
    ]
}


def topics_ensure(prefecture):
    """The default topics, and the demo prefecture's own."""
    topics_create_defaults(prefecture=prefecture)
    for code, name, name_en, position, archived in DEMO_TOPICS.get(prefecture.department_code, []):
        Topic.objects.update_or_create(
            prefecture=prefecture,
            code=code,
            defaults={"name": name, "name_en": name_en, "position": position, "is_archived": archived},
        )


def routing_rules_ensure(prefecture):
    """Cases about residence permits' counters go to that service when the citizen did not choose it."""
    service = prefecture.services.filter(name="Titres de séjour").first()
    if service is not None:
        RoutingRule.objects.get_or_create(
            prefecture=prefecture,
            topic=prefecture.topics.get(code=DefaultTopic.COUNTER),
            site=None,
            defaults={"service": service},
        )


def load_cases():
    """The demo loader (see ``demo.registry``): answer templates and cases of every demo prefecture."""
    created = 0
    for data in PREFECTURES:
        prefecture = Prefecture.objects.get(department_code=data["department_code"])
        answer_templates_ensure(prefecture)
        topics_ensure(prefecture)
        routing_rules_ensure(prefecture)
        created += load_prefecture_cases(
            prefecture, CASES_PER_PREFECTURE.get(prefecture.department_code, DEFAULT_CASES)
        )
    return created


# La Réunion's quality mailbox, on the local Dovecot that `make imap` starts (README: "E-mail intake").
DEMO_MAILBOX = {"department_code": "974", "host": "127.0.0.1", "port": 10993, "username": "reclamations-974"}


def load_mailbox():
    """The demo loader of La Réunion's mailbox (declared only: loading it needs no IMAP server). Returns whether it
    was created."""
    prefecture = Prefecture.objects.filter(department_code=DEMO_MAILBOX["department_code"]).first()
    if prefecture is None:
        return False
    _mailbox, created = Mailbox.objects.get_or_create(
        prefecture=prefecture,
        defaults={
            "address": f"qualite@{prefecture.slug}.example.org",
            "host": DEMO_MAILBOX["host"],
            "port": DEMO_MAILBOX["port"],
            "username": DEMO_MAILBOX["username"],
        },
    )
    return created


# The citizen who logs in with FranceConnect in the demo: user "alice" of the test provider that `make oidc-provider`
# starts (tests/oidc_provider/serve.py), whose FranceConnect identifier (`sub`) is her account's id there, 1.
DEMO_CITIZEN = {"sub": "1", "given_name": "Alice", "family_name": "Martin", "email": "alice.martin@example.org"}
# Her requests among La Réunion's demo cases: filed while logged in (tied to her account), in these statuses...
DEMO_CITIZEN_CASES = [(Kind.COMPLAINT, S.IN_PROGRESS), (Kind.COMPLAINT, S.ANSWERED), (Kind.SUGGESTION, S.ACCEPTED)]
# ...and one filed without an account with her address, which her space shows too (``Case.objects.of_citizen``).
DEMO_CITIZEN_CASE_BY_ADDRESS = (Kind.COMPLAINT, S.CLOSED)


def load_citizen():
    """The demo loader of the FranceConnect citizen (README: *Complaints › FranceConnect*): her account and four of
    La Réunion's demo cases made hers, so that *Mon espace* lists them once she logs in at the local provider.
    Returns how many cases were made hers (0 when already done, or without La Réunion's cases)."""
    prefecture = Prefecture.objects.filter(department_code="974").first()
    if prefecture is None:
        return 0
    citizen, _created = Citizen.objects.get_or_create(sub=DEMO_CITIZEN["sub"], defaults=DEMO_CITIZEN)
    if Case.objects.of_citizen(citizen).exists():
        return 0
    identity = {"name": f"{citizen.given_name} {citizen.family_name}", "email": citizen.email}
    cases = Case.objects.filter(prefecture=prefecture, anonymised_at__isnull=True).order_by("-received_on", "pk")
    made = 0
    for (kind, status), tied in [
        *((plan, True) for plan in DEMO_CITIZEN_CASES),
        (DEMO_CITIZEN_CASE_BY_ADDRESS, False),
    ]:
        case = cases.filter(kind=kind, status=status, citizen__isnull=True).first()
        if case is not None:
            made += Case.objects.filter(pk=case.pk).update(citizen=citizen if tied else None, **identity)
    return made
