"""URLs of guardians and the consent register."""

from django.urls import path

from . import consent_views as views

urlpatterns = [
    path("children/<uuid:child_uuid>/consents/", views.child_consents, name="child-consents"),
    path("children/<uuid:child_uuid>/consents/new/", views.consent_record, name="consent-record"),
    path(
        "children/<uuid:child_uuid>/consents/legal-ground/",
        views.consent_legal_ground,
        name="consent-legal-ground",
    ),
    path(
        "children/<uuid:child_uuid>/consents/form/",
        views.consent_paper_form,
        name="consent-paper-form",
    ),
    path(
        "children/<uuid:child_uuid>/guardians/new/", views.guardian_create, name="guardian-create"
    ),
    path("guardians/<uuid:guardian_uuid>/", views.guardian_edit, name="guardian-edit"),
    path("consents/<uuid:consent_uuid>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("consents/expiring/", views.consents_expiring, name="consents-expiring"),
]
