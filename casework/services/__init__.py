"""Every write of case data, split by sub-domain; import from here."""

from .cases import *  # noqa: F403
from .cases import _has, _save  # noqa: F401
from .plans import *  # noqa: F403
