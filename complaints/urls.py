from django.urls import include, path

from . import open311
from .views import downloads, public, space, tracking

app_name = "complaints"

urlpatterns = [
    # From the home page: the prefecture chosen in a list, then its form.
    path("reclamations/", public.choose_prefecture, name="choose_prefecture"),
    path("<slug:slug>/reclamations/nouvelle/", public.case_new, name="new"),
    path("<slug:slug>/reclamations/confirmation/", public.confirmation, name="confirmation"),
    path("<slug:slug>/reclamations/lien-perdu/", public.lost_link, name="lost_link"),
    # The same form network-wide: where a link that no longer works leads (it names no prefecture).
    path("reclamations/lien-perdu/", public.lost_link, name="lost_link"),
    # The token is the only key to a case: a wrong, replaced or expired one gets one page (404) for all.
    path("suivi/<str:token>/", tracking.tracking, name="tracking"),
    path("suivi/<str:token>/documents/<int:pk>/", tracking.tracking_attachment, name="tracking_attachment"),
    path("suivi/<str:token>/recu.pdf", tracking.tracking_receipt, name="tracking_receipt"),
    # The citizen's space, with FranceConnect (complaints/franceconnect.py); 404 while FranceConnect is off.
    path("mon-espace/", space.space, name="space"),
    path("mon-espace/demandes/<str:reference>/", space.space_case, name="space_case"),
    path("franceconnect/connexion/", space.franceconnect_login, name="franceconnect_login"),
    path("franceconnect/retour/", space.franceconnect_callback, name="franceconnect_callback"),
    path("franceconnect/deconnexion/", space.franceconnect_logout, name="franceconnect_logout"),
    path("franceconnect/deconnecte/", space.franceconnect_logged_out, name="franceconnect_logged_out"),
    # Other public apps file and follow cases (Open311 GeoReport v2, with their key).
    path("api/open311/v2/", include(open311.urlpatterns)),
    # Staff only, scoped to the cases they may see.
    path("pieces-jointes/<int:pk>/", downloads.attachment_download, name="attachment_download"),
]
