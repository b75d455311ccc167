"""The committee in the admin, scoped to the officer's prefectures; writes with a rule go through a service.

* ``committees``: the committee, its members and working groups;
* ``meetings``: meetings, opinions on suggestions, members' comments;
* ``actions``: improvement actions.
"""

from . import actions, committees, meetings  # noqa: F401  (they register the models)
