from django.urls import path

from . import views

urlpatterns = [
    path("rapports/<int:pk>/telecharger/", views.download, name="audit_report_download"),
    path("rapports/<int:pk>/donnees/", views.download_csv, name="audit_report_csv"),
]
