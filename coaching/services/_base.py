"""What every coaching service shares."""

from django.core.exceptions import PermissionDenied

from alert4you.history import save_with_history

_save = save_with_history


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
