"""Your sessions: where you are signed in, and ending the ones you do not
recognise. Also Django's password change and reset, made to end every other
session of the user at once."""

from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import sessions


@login_required
@never_cache
def session_list(request):
    user_sessions = list(sessions.active_sessions_for_user(request.user))
    current_key = request.session.session_key
    for user_session in user_sessions:
        user_session.is_current = user_session.session_key == current_key
    return render(request, "registration/session_list.html", {"user_sessions": user_sessions})


@login_required
@require_POST
def session_end(request, session_uuid):
    # Another user's session answers 404, like one that does not exist.
    user_session = get_object_or_404(
        sessions.active_sessions_for_user(request.user), uuid=session_uuid
    )
    if user_session.session_key == request.session.session_key:
        auth.logout(request)
        return redirect("login")
    sessions.user_session_end(actor=request.user, user_session=user_session)
    messages.success(request, _("The session was ended."))
    return redirect("sessions:session-list")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, in the app's own page; every other session of
    the user ends."""

    template_name = "account/password_change_form.html"

    def form_valid(self, form):
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # cycles this session's key
        new_key = self.request.session.session_key
        sessions.user_session_rekey(
            user=form.user, old_session_key=old_key, new_session_key=new_key
        )
        sessions.user_sessions_end_others(user=form.user, keep_session_key=new_key)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "account/password_change_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's password reset; every session of the user ends."""

    def form_valid(self, form):
        response = super().form_valid(form)
        keep = self.request.session.session_key if self.post_reset_login else None
        sessions.user_sessions_end_others(user=form.user, keep_session_key=keep)
        return response
