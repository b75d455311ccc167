"""Demo data of the users' committee: La Réunion's committee over two years, and a small one in Val-de-Marne.

Idempotent: every row is found by a stable key (a member's e-mail, a meeting's title, an action's
title) and updated, so a second ``load_demo`` changes nothing but the dates relative to today.
Links to complaints' demo cases when they exist at load time.
"""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from complaints.enums import Kind, Status
from complaints.models import Case
from qualipref.dates import add_months
from qualipref.enums import Role
from qualipref.models import Prefecture, Service, User
from qualipref.services import membership_grant

from .enums import ActionStatus, Attendance, DocumentKind, MeetingStatus, MemberCategory, Verdict
from .models import (
    ActionTransition,
    AgendaItem,
    Comment,
    Committee,
    Document,
    ImprovementAction,
    Invitation,
    Meeting,
    Member,
    SuggestionOpinion,
    WorkingGroup,
)
from .printing import meeting_document_pdf
from .services import document_prepare, document_save

C = MemberCategory

# (first name, last name, category, organisation, e-mail, name may be published)
REUNION_MEMBERS = [
    ("Marie-Thérèse", "Grondin", C.ASSOCIATION, "UDAF de La Réunion", "comite.974@example.org", True),
    ("Josiane", "Técher", C.PRIVATE_PERSON, "", "josiane.techer@example.org", True),
    ("Jean-Marc", "Payet", C.PRIVATE_PERSON, "", "jean-marc.payet@example.org", False),
    ("Sandrine", "Hoarau", C.PRIVATE_PERSON, "", "sandrine.hoarau@example.org", False),
    ("Didier", "Fontaine", C.PRIVATE_PERSON, "", "didier.fontaine@example.org", True),
    ("Karine", "Lebreton", C.BUSINESS, "Auto-école du Barachois", "karine.lebreton@example.org", True),
    ("Olivier", "Rivière", C.BUSINESS, "Union des garagistes de l’Est", "olivier.riviere@example.org", False),
    ("Fatima", "Ahmed", C.ASSOCIATION, "Collectif Accès aux droits 974", "fatima.ahmed@example.org", True),
    ("Patrick", "Boyer", C.ASSOCIATION, "Association des usagers des transports", "patrick.boyer@example.org", False),
    ("Christine", "Maillot", C.LOCAL_AUTHORITY, "Commune de Saint-Denis", "christine.maillot@example.org", True),
    ("Alain", "Séry", C.LOCAL_AUTHORITY, "Département de La Réunion", "alain.sery@example.org", False),
    ("Nadia", "Payet", C.PREFECTURE_STAFF, "Préfecture – mission qualité", "qualite.974@example.org", True),
]

GROUPS = [
    (
        "Titres de séjour",
        "Examiner l’accueil des ressortissants étrangers : prise de rendez-vous, délais de délivrance, information.",
        ["fatima.ahmed@example.org", "jean-marc.payet@example.org", "josiane.techer@example.org"],
        "Le groupe recommande l’ouverture de créneaux de rendez-vous le samedi matin et un SMS de mise à "
        "disposition des titres.",
    ),
    (
        "Permis de conduire et certificats d’immatriculation",
        "Suivre les délais des permis et des cartes grises, et l’accompagnement des usagers éloignés du numérique.",
        ["karine.lebreton@example.org", "olivier.riviere@example.org", "didier.fontaine@example.org"],
        "",
    ),
]

PLENARY_TOPICS = [
    "Bilan des réclamations du trimestre",
    "Délais de délivrance des titres publiés",
    "Résultats de l’enquête de satisfaction à l’accueil",
    "Suivi des actions d’amélioration",
]

# What the members read after a plenary (members only; the public reads the summary).
PLENARY_MINUTES = (
    "La séance est ouverte à 9 h par la secrétaire générale de la préfecture, qui remercie les membres présents.\n\n"
    "1. Bilan des réclamations du trimestre. La mission qualité présente les réclamations reçues, par canal et par "
    "service : l’attente au guichet des étrangers reste le premier motif. Les membres demandent que les chiffres "
    "soient donnés par site.\n\n"
    "2. Délais de délivrance des titres publiés. Le délai moyen des premiers titres de séjour baisse depuis "
    "l’ouverture de créneaux supplémentaires ; celui des échanges de permis reste au-dessus de l’objectif.\n\n"
    "3. Résultats de l’enquête de satisfaction à l’accueil. La satisfaction progresse sur l’information donnée ; "
    "le confort de la file extérieure est jugé insuffisant.\n\n"
    "4. Suivi des actions d’amélioration. Le comité approuve à l’unanimité la proposition d’installer des bancs et "
    "un ombrage dans la file extérieure, et demande un point d’étape à la prochaine séance.\n\n"
    "La séance est levée à 12 h."
)

# (title, status, months from today to the due date, public origin, outcome, indicator)
ACTIONS = [
    (
        "Écran d’affichage du temps d’attente dans le hall de Saint-Denis",
        ActionStatus.DONE,
        -8,
        "Vous ne saviez pas combien de temps vous alliez attendre au guichet.",
        "Attente perçue en baisse : 71 % de satisfaits sur l’attente contre 54 % avant l’installation.",
        "Satisfaction sur le temps d’attente (enquête à l’accueil)",
    ),
    (
        "SMS de mise à disposition des titres de séjour",
        ActionStatus.DONE,
        -3,
        "Vous vous déplaciez plusieurs fois pour savoir si votre titre était prêt.",
        "Titres retirés en moyenne 6 jours plus tôt ; 40 % d’appels en moins au standard sur ce sujet.",
        "Délai entre fabrication et remise du titre",
    ),
    (
        "Créneaux de rendez-vous le samedi matin pour les titres de séjour",
        ActionStatus.IN_PROGRESS,
        -1,
        "Vous ne pouviez pas venir en semaine sans poser un jour de congé.",
        "",
        "Délai moyen d’obtention d’un rendez-vous",
    ),
    (
        "Point d’accueil numérique à la sous-préfecture de Saint-Pierre",
        ActionStatus.PLANNED,
        4,
        "Les démarches en ligne pour le permis et la carte grise sont difficiles sans aide.",
        "",
        "Part des demandes de permis incomplètes",
    ),
    (
        "Bancs et ombrage dans la file extérieure",
        ActionStatus.PROPOSED,
        6,
        "La file d’attente extérieure est en plein soleil.",
        "",
        "Satisfaction sur le confort de l’accueil",
    ),
    (
        "Numéro d’appel unique pour toutes les sous-préfectures",
        ActionStatus.ABANDONED,
        2,
        "",
        "",
        "Taux de décroché",
    ),
]

# The blank page earlier demos stored as every document: met again, it is replaced by the real document.
BLANK_DEMO_PDF_SHA256 = "e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2"


def _members(committee, rows, start):
    members = {}
    for first, last, category, organisation, email, public in rows:
        member, _created = Member.objects.update_or_create(
            committee=committee,
            email=email,
            defaults={
                "first_name": first,
                "last_name": last,
                "category": category,
                "organisation": organisation,
                "term_start": start,
                "term_end": add_months(start, 36),
                "is_active": True,
                "name_is_public": public,
            },
        )
        members[email] = member
    return members


def _link_demo_account(member, email, prefecture):
    """The README's committee account sits on the committee and logs into the members' space."""
    user = User.objects.filter(email=email).first()
    if user is not None and member.user_id != user.pk:
        membership_grant(user=user, role=Role.COMMITTEE_MEMBER, prefecture=prefecture)
        member.user = user
        member.save(update_fields=["user"])


def _meeting(committee, title, date, *, group=None, status, summary="", minutes="", place=""):
    meeting, _created = Meeting.objects.update_or_create(
        committee=committee,
        working_group=group,
        title=title,
        defaults={
            "date": date,
            "start_time": datetime.time(9, 0) if group is None else datetime.time(14, 0),
            "end_time": datetime.time(12, 0) if group is None else datetime.time(16, 0),
            "place": place or "Préfecture de Saint-Denis, salle Baudin",
            "status": status,
            "public_summary": summary,
            "summary_published": bool(summary) and status == MeetingStatus.HELD,
            "minutes": minutes,
        },
    )
    return meeting


def _agenda(meeting, titles, presenter="Mission qualité"):
    for position, title in enumerate(titles, 1):
        AgendaItem.objects.update_or_create(
            meeting=meeting, position=position, defaults={"title": title, "presenter": presenter}
        )


def _attendance(meeting, members, absent_every):
    for index, member in enumerate(members):
        attendance = Attendance.EXCUSED if index % absent_every == 0 else Attendance.PRESENT
        Invitation.objects.update_or_create(
            meeting=meeting,
            member=member,
            defaults={"attendance": attendance, "sent_sequence": meeting.sequence, "sent_at": meeting.created_at},
        )


def _document(meeting, title, kind, *, item=None, figures=()):
    """A PDF of the meeting, written from what it holds (agenda, attendance, minutes); written again when missing from
    the media folder, blank (an earlier demo), or built on an earlier day (the demo's dates follow today)."""
    document = Document.objects.filter(meeting=meeting, title=title).first()
    prefecture = meeting.committee.prefecture
    if (
        document is not None
        and document.sha256 != BLANK_DEMO_PDF_SHA256
        and timezone.localtime(document.uploaded_at, prefecture.tzinfo).date() >= prefecture.today()
        and document.file.storage.exists(document.file.name)
    ):
        return document
    pdf = meeting_document_pdf(meeting, title=title, kind=kind, figures=figures)
    document = document or Document(meeting=meeting, title=title)
    document.agenda_item, document.kind = item, kind
    # The same checks and fingerprint as an officer's upload (``qualipref.uploads``), then the same save.
    stored = document_prepare(document=document, upload=ContentFile(pdf, name=f"{slugify(title)}.pdf"))
    document.file.save(stored.safe_name, stored, save=False)
    return document_save(document=document)


def _quarter_figures(prefecture, today):
    """The key figures of the quarterly dashboard: the last three months' cases and the actions under way."""
    since = add_months(today, -3)
    cases = Case.objects.filter(prefecture=prefecture, received_on__gte=since).aggregate(
        complaints=Count("pk", filter=Q(kind=Kind.COMPLAINT)),
        suggestions=Count("pk", filter=Q(kind=Kind.SUGGESTION)),
        answered=Count("pk", filter=Q(kind=Kind.COMPLAINT, answered_at__isnull=False)),
    )
    actions = ImprovementAction.objects.for_prefecture(prefecture).open().count()
    return [
        ("Réclamations reçues sur les trois derniers mois", cases["complaints"]),
        ("dont réclamations déjà répondues", cases["answered"]),
        ("Suggestions reçues sur les trois derniers mois", cases["suggestions"]),
        ("Actions d’amélioration en cours", actions),
    ]


def _documents(committee, meetings, upcoming, today):
    """The signed minutes of the last plenary held, and the next plenary's agenda with its quarterly dashboard."""
    held = [meeting for meeting in meetings if meeting.status == MeetingStatus.HELD]
    if held:
        _document(held[-1], "Compte rendu signé", DocumentKind.MINUTES)
    first_item = upcoming.agenda_items.order_by("position").first()
    _document(
        upcoming,
        "Tableau de bord qualité du trimestre",
        DocumentKind.AGENDA,
        item=first_item,
        figures=_quarter_figures(committee.prefecture, today),
    )
    _document(upcoming, "Ordre du jour", DocumentKind.AGENDA)


def _plenaries(committee, members, today):
    """Quarterly plenary meetings over the past two years, and the next one in three weeks."""
    meetings = []
    for number in range(1, 9):
        date = add_months(today, -24 + 3 * (number - 1)) + datetime.timedelta(days=2)
        cancelled = number == 3
        last = number == 8
        summary = (
            ""
            if cancelled or last
            else f"Le comité a examiné {PLENARY_TOPICS[number % 4].lower()}. Les membres ont relevé l’attente "
            "au guichet des étrangers et demandé un suivi trimestriel des délais publiés."
        )
        meeting = _meeting(
            committee,
            f"Réunion plénière n° {number}",
            date,
            status=MeetingStatus.CANCELLED if cancelled else MeetingStatus.HELD,
            summary=summary,
            minutes="" if cancelled else PLENARY_MINUTES,
        )
        if not cancelled:
            _agenda(meeting, PLENARY_TOPICS)
            _attendance(meeting, list(members.values()), absent_every=4 + number % 3)
        meetings.append(meeting)
    upcoming = _meeting(
        committee, "Réunion plénière n° 9", today + datetime.timedelta(days=21), status=MeetingStatus.PLANNED
    )
    _agenda(upcoming, PLENARY_TOPICS)
    first_item = upcoming.agenda_items.order_by("position").first()
    author = members["josiane.techer@example.org"]
    Comment.objects.get_or_create(
        agenda_item=first_item,
        member=author,
        defaults={"body": "Pourrait-on voir les réclamations par site, et pas seulement pour la préfecture ?"},
    )
    return meetings, upcoming


def _groups(committee, members, today):
    groups = []
    for theme, mandate, emails, conclusions in GROUPS:
        group, _created = WorkingGroup.objects.update_or_create(
            committee=committee,
            theme=theme,
            defaults={
                "mandate": mandate,
                "conclusions": conclusions,
                "conclusions_published": bool(conclusions),
                "created_on": add_months(today, -20),
            },
        )
        group.members.set([members[email] for email in emails])
        for number in range(1, 4):
            meeting = _meeting(
                committee,
                f"Groupe de travail « {theme} » – séance {number}",
                add_months(today, -18 + 6 * (number - 1)) + datetime.timedelta(days=9),
                group=group,
                status=MeetingStatus.HELD,
                summary=f"Le groupe de travail « {theme} » a entendu le service concerné et formulé des propositions.",
            )
            _agenda(meeting, ["Point sur les délais", "Propositions du groupe"], presenter="Chef de service")
            _attendance(meeting, [members[email] for email in emails], absent_every=3)
        groups.append(group)
    return groups


def _opinions(committee, meetings):
    """The committee's opinion on suggestions that went through it (when the complaints demo made some)."""
    examined = (
        Case.objects.filter(prefecture=committee.prefecture, kind=Kind.SUGGESTION)
        .filter(status__in=[Status.ACCEPTED, Status.DECLINED], transitions__to_status=Status.FORWARDED_TO_COMMITTEE)
        .distinct()
        .order_by("pk")[:4]
    )
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    for index, case in enumerate(examined):
        accepted = case.status == Status.ACCEPTED
        SuggestionOpinion.objects.update_or_create(
            case=case,
            defaults={
                "committee": committee,
                "meeting": held[-1 - index % len(held)],
                "verdict": Verdict.FAVOURABLE if accepted else Verdict.UNFAVOURABLE,
                "text": (
                    "Le comité des usagers soutient votre suggestion et a demandé à la préfecture "
                    "de la mettre en œuvre."
                    if accepted
                    else "Le comité des usagers a jugé votre suggestion intéressante mais difficile à mettre en œuvre "
                    "pour l’instant ; elle sera réexaminée l’an prochain."
                ),
            },
        )


def _candidates_on_agenda(committee, upcoming):
    forwarded = Case.objects.filter(
        prefecture=committee.prefecture, kind=Kind.SUGGESTION, status=Status.FORWARDED_TO_COMMITTEE
    ).order_by("received_on", "pk")[:3]
    for offset, case in enumerate(forwarded, 1):
        AgendaItem.objects.update_or_create(
            meeting=upcoming,
            case=case,
            defaults={"position": 10 + offset, "title": f"Suggestion {case.reference} : {case.subject}"},
        )


def _actions(prefecture, meetings, groups, today):
    officer = User.objects.filter(email="qualite.974@example.org").first()
    service = Service.objects.filter(prefecture=prefecture, name="Titres de séjour").first()
    suggestions = list(Case.objects.filter(prefecture=prefecture, kind=Kind.SUGGESTION).order_by("pk")[:4])
    complaints = list(Case.objects.filter(prefecture=prefecture, kind=Kind.COMPLAINT).order_by("pk")[:6])
    held = [m for m in meetings if m.status == MeetingStatus.HELD]
    for index, (title, status, due_months, public_origin, outcome, indicator) in enumerate(ACTIONS):
        due_on = add_months(today, due_months)
        action, created = ImprovementAction.objects.update_or_create(
            prefecture=prefecture,
            title=title,
            defaults={
                "description": public_origin,
                "public_origin": public_origin,
                "origin_meeting": held[index % len(held)],
                "origin_working_group": groups[0] if "séjour" in title else (groups[1] if index == 3 else None),
                "origin_survey_question": "Q3 – Comment jugez-vous le temps d’attente ?" if index == 0 else "",
                "owner": officer,
                "service": service if "séjour" in title else None,
                "due_on": due_on,
                "status": status,
                "indicator": indicator,
                "outcome": outcome,
                "done_on": add_months(due_on, -1) if status == ActionStatus.DONE else None,
            },
        )
        if index < 2:
            action.origin_cases.set(complaints[index * 3 : index * 3 + 3] + suggestions[index * 2 : index * 2 + 2])
        if created:
            ActionTransition.objects.create(action=action, from_status="", to_status=status, by=officer)


@transaction.atomic
def load_committees():
    """The demo loader (see ``demo.registry``)."""
    reunion = Prefecture.objects.get(department_code="974")
    today = reunion.today()
    committee, _created = Committee.objects.update_or_create(
        prefecture=reunion,
        defaults={
            "introduction": "Le comité local des usagers réunit des usagers, des entreprises, des associations et des "
            "collectivités autour des services de la préfecture. Il examine nos résultats, vos suggestions et "
            "les actions d’amélioration qui en découlent."
        },
    )
    members = _members(committee, REUNION_MEMBERS, add_months(today, -26))
    _link_demo_account(members["comite.974@example.org"], "comite.974@example.org", reunion)
    groups = _groups(committee, members, today)
    meetings, upcoming = _plenaries(committee, members, today)
    _opinions(committee, meetings)
    _candidates_on_agenda(committee, upcoming)
    _actions(reunion, meetings, groups, today)
    _documents(committee, meetings, upcoming, today)

    # A second committee shows that each one sees only its own.
    val_de_marne = Prefecture.objects.filter(department_code="94").first()
    if val_de_marne is not None:
        other, _created = Committee.objects.get_or_create(prefecture=val_de_marne)
        _members(
            other,
            [
                ("Luc", "Bernard", C.PRIVATE_PERSON, "", "luc.bernard@example.org", False),
                ("Amina", "Diallo", C.ASSOCIATION, "Maison des droits de Créteil", "amina.diallo@example.org", True),
                ("Hervé", "Martin", C.LOCAL_AUTHORITY, "Ville de Créteil", "herve.martin@example.org", False),
            ],
            add_months(val_de_marne.today(), -12),
        )
        _meeting(
            other,
            "Réunion plénière n° 1",
            val_de_marne.today() + datetime.timedelta(days=30),
            status=MeetingStatus.PLANNED,
            place="Préfecture de Créteil",
        )
    return committee
