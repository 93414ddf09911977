"""What an organisation would build instead of our pages: Django's admin
changelist over the same models, filtered to the same rows."""

from django.contrib import admin

from casework.models import Case, Plan
from coaching.models import Visit
from parents.models import Consent

site = admin.AdminSite(name="bench_admin")


class OpenLookups(admin.ModelAdmin):
    list_per_page = 25

    def lookup_allowed(self, lookup, value, request=None):
        return True


@admin.register(Case, site=site)
class CaseAdmin(OpenLookups):
    list_display = ["child", "status", "opened_at"]
    list_select_related = ["child"]
    ordering = ["-opened_at"]


@admin.register(Plan, site=site)
class PlanAdmin(OpenLookups):
    list_display = ["case", "version", "status", "created_at"]
    list_select_related = ["case__child"]
    list_per_page = 50


@admin.register(Visit, site=site)
class VisitAdmin(OpenLookups):
    list_display = ["location", "starts_at", "status"]
    list_select_related = ["location"]


@admin.register(Consent, site=site)
class ConsentAdmin(OpenLookups):
    list_display = ["child", "scope", "decision", "valid_until"]
    list_select_related = ["child"]
    list_per_page = 50
