from django.urls import path

from . import views

app_name = "surveys"

urlpatterns = [
    # The short link printed on posters and encoded in QR codes.
    path("e/<str:code>/", views.short_link, name="short_link"),
    # A counter tablet's survey (kiosk link, signed): it starts again after each answer.
    path("borne/<str:token>/", views.kiosk_answer, name="kiosk"),
    path("borne/<str:token>/merci/", views.kiosk_thanks, name="kiosk_thanks"),
    path("<slug:slug>/enquetes/", views.survey_list, name="list"),
    # Before the answering page: "resultats" is a reserved survey slug.
    path("<slug:slug>/enquetes/resultats/", views.public_results, name="results"),
    path("<slug:slug>/enquetes/<slug:survey_slug>/", views.survey_answer, name="answer"),
    path("<slug:slug>/enquetes/<slug:survey_slug>/merci/", views.thanks, name="thanks"),
]
