"""Saving a domain row so its history (django-simple-history) says who and why."""


def save_with_history(instance, *, actor, reason: str, exclude=None):
    """Validate the row (a `ValidationError` a user can act on), then save it with
    the acting user and a short change reason on the history record."""
    instance.full_clean(exclude=exclude)
    instance._history_user = actor
    instance._change_reason = reason
    instance.save()
    return instance
