"""Links to pages addressed by one UUID, reversed once per page name: a list
or a batch of mails links to thousands of objects, and `reverse` costs more
per call than the rest of a row."""

from __future__ import annotations

import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

#: Stands for the UUID of the object in a reversed path (`uuid_reverse`).
_STAND_IN = uuid.UUID(int=0)


def uuid_reverse(name: str, **kwargs) -> str:
    """``reverse(name, kwargs=kwargs)``, cheaply for a page addressed by one
    UUID (a batch of mails links to thousands): the path is reversed once, with
    a stand-in UUID that each call replaces. A UUID's path argument is its text,
    so the path is the one `reverse` gives (a test compares them)."""
    ((key, value),) = kwargs.items()
    if isinstance(value, str):
        # Read by hand from SQLite (`make run`): the 32 hex digits alone.
        try:
            value = uuid.UUID(value)
        except ValueError:
            return reverse(name, kwargs=kwargs)
    if type(value) is not uuid.UUID:
        return reverse(name, kwargs=kwargs)
    path = _path_with_stand_in(
        name,
        key,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        translation.get_language(),
    )
    return path.replace(str(_STAND_IN), str(value))


@functools.lru_cache(maxsize=256)
def _path_with_stand_in(name: str, key: str, urlconf, prefix: str, language) -> str:
    """The path of page `name` for the stand-in UUID (per URL configuration,
    script prefix and language: what a reversed path depends on)."""
    return reverse(name, kwargs={key: _STAND_IN})
