from django.urls import path

from .views import accounts, public, space

app_name = "committee"

urlpatterns = [
    # Public: who sits on the committee, what it said, what was done.
    path("<slug:slug>/comite/", public.committee_page, name="public"),
    # The members' space: login required, one's own committee only.
    path("comite/", space.home, name="space"),
    path("comite/reunions/<int:pk>/", space.meeting_detail, name="meeting"),
    path("comite/reunions/<int:pk>/points/<int:item_pk>/commentaires/", space.comment_add, name="comment_add"),
    path("comite/documents/<int:pk>/", space.document_download, name="document"),
    path("comite/connexion/", accounts.MemberLoginView.as_view(), name="login"),
    path("comite/deconnexion/", accounts.MemberLogoutView.as_view(), name="logout"),
    path("comite/mot-de-passe/oublie/", accounts.password_forgotten, name="password_forgotten"),
    path("comite/mot-de-passe/<uidb64>/<token>/", accounts.PasswordSetView.as_view(), name="password_set"),
]
