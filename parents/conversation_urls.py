"""URLs of parent conversations (namespace "parents")."""

from django.urls import path

from . import conversation_views as views

urlpatterns = [
    path(
        "cases/<uuid:case_uuid>/conversations/new/",
        views.conversation_create,
        name="conversation-create",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/",
        views.conversation_detail,
        name="conversation-detail",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/edit/",
        views.conversation_edit,
        name="conversation-edit",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/prepare/",
        views.conversation_prepare,
        name="conversation-prepare",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/outcome/",
        views.conversation_outcome,
        name="conversation-outcome",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/feedback/",
        views.conversation_feedback,
        name="conversation-feedback",
    ),
    path(
        "conversations/<uuid:conversation_uuid>/cancel/",
        views.conversation_cancel,
        name="conversation-cancel",
    ),
]
