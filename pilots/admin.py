from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from alert4you import access_policy

from .models import (
    Group,
    Location,
    Membership,
    MembershipGroup,
    MembershipLocation,
    Municipality,
    Organisation,
    Pilot,
    PilotPartner,
)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "cbs_code", "province", "is_frontrunner"]
    list_filter = ["province", "is_frontrunner"]
    search_fields = ["name", "cbs_code"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "municipality", "retention_years"]
    list_filter = ["kind", "municipality__province"]
    search_fields = ["name", "municipality__name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality"]


class PilotPartnerInline(admin.TabularInline):
    model = PilotPartner
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Pilot)
class PilotAdmin(SimpleHistoryAdmin):
    list_display = ["name", "track", "municipality", "start_date", "end_date"]
    list_filter = ["track", "municipality__province", "start_date"]
    search_fields = ["name", "municipality__name", "partners__name"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["municipality", "project_leaders"]
    inlines = [PilotPartnerInline]
    date_hierarchy = "start_date"


class GroupInline(admin.TabularInline):
    model = Group
    extra = 0
    fields = ["name", "age_band", "kind", "capacity"]


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "location_type", "city", "pilot"]
    list_filter = ["location_type", "organisation__kind", "pilot", "municipality"]
    search_fields = ["name", "organisation__name", "city", "postcode"]
    list_select_related = ["organisation", "pilot"]
    autocomplete_fields = ["organisation", "municipality", "pilot"]
    inlines = [GroupInline]


@admin.register(Group)
class GroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "location", "age_band", "kind", "capacity"]
    list_filter = ["age_band", "kind", "location__location_type"]
    search_fields = ["name", "location__name", "location__organisation__name"]
    list_select_related = ["location"]
    autocomplete_fields = ["location"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "location" in form.changed_data:
            access_policy.on_group_moved(obj)


class MembershipLocationInline(admin.TabularInline):
    model = MembershipLocation
    extra = 0
    autocomplete_fields = ["location"]


class MembershipGroupInline(admin.TabularInline):
    model = MembershipGroup
    extra = 0
    autocomplete_fields = ["group"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role", "start_date", "end_date"]
    list_filter = ["role", "organisation__kind", "start_date"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "organisation__name",
    ]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
    inlines = [MembershipLocationInline, MembershipGroupInline]

    def save_related(self, request, form, formsets, change):
        # Coverage is saved here, after the membership itself: only now is
        # the membership complete enough for the access policy to follow it.
        super().save_related(request, form, formsets, change)
        access_policy.on_membership_changed(form.instance.user)

    def delete_model(self, request, obj):
        user = obj.user
        super().delete_model(request, obj)
        access_policy.on_membership_changed(user)

    def delete_queryset(self, request, queryset):
        users = list({m.user for m in queryset.select_related("user")})
        super().delete_queryset(request, queryset)
        for user in users:
            access_policy.on_membership_changed(user)
