import pytest
from django.core.management import call_command

from casework.models import Case, Child, Concern, Plan


@pytest.mark.django_db
def test_demo_children_and_cases_load_once(settings):
    settings.DEMO_MODE = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    counts = [m.objects.count() for m in (Child, Case, Concern, Plan)]
    assert counts[0] > 100 and counts[1] == 3
    assert Plan.objects.filter(status="submitted").exists()
    call_command("load_demo", stdout=open("/dev/null", "w"))
    assert [m.objects.count() for m in (Child, Case, Concern, Plan)] == counts


@pytest.mark.django_db
def test_demo_pm_sees_the_story_case_of_their_group(client, settings):
    from django.contrib.auth import get_user_model

    from casework import selectors

    settings.DEMO_MODE = True
    call_command("load_demo", stdout=open("/dev/null", "w"))
    pm = get_user_model().objects.get(username="demo-pm")
    names = set(selectors.cases_for_user(pm).values_list("child__first_name", flat=True))
    assert names == {"Mieke"}
    manager = get_user_model().objects.get(username="demo-manager")
    assert selectors.review_queue_for_user(manager).count() == 1
