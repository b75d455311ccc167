"""The audit cycle in the admin, scoped to the user's prefectures; every write goes through a service.

* ``cycles``: the label's cycle and its steps (documents, certificate);
* ``audits``: audits, their sample, the signed report;
* ``findings``: findings, their corrective action, the auditor's acceptance;
* ``selfassessments``: self-assessment campaigns, their grid completed line by line.
"""

from . import audits, cycles, findings, selfassessments  # noqa: F401  (they register the models)
