"""What every app's forms share."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator


def form_errors_from(form, error: ValidationError) -> None:
    """Show a service's `ValidationError` on the form: messages about a field
    next to that field, the rest above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class LoginForm(AuthenticationForm):
    """Django's login form, but a username longer than any account's is refused
    before `authenticate`: django-axes would record it and overflow its column."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
