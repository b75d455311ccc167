"""The periodic audit reports: a prefecture's PDF for a month, a quarter or a year, built by Celery with WeasyPrint."""
