"""Every write about coaching, split by sub-domain; import from here.

Each service takes keyword-only arguments and a required `actor`, runs in one
transaction, validates with a message a user can act on and records who
changed what in the history."""

from .agenda import *  # noqa: F403
from .feeds import *  # noqa: F403
from .group_plan_sections import *  # noqa: F403
from .group_plans import *  # noqa: F403
from .planning import *  # noqa: F403
from .requests import *  # noqa: F403
