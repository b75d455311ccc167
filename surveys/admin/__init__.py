"""The survey builder in the admin: questions and distribution points inline, results, CSV, QR codes, posters."""

from .surveys import DistributionPointAdmin, SurveyAdmin

__all__ = ["DistributionPointAdmin", "SurveyAdmin"]
