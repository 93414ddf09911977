"""A visit page that names a child is a view of that child's case, and is logged."""

from casework.models import AccessLogEntry
from coaching import services

from .conftest import make_visit


def test_viewing_a_visit_logs_the_cases_of_the_children_it_names(client, coached):
    w = coached
    visit = make_visit(w, groups=[w.group_a, w.group_b])
    services.agenda_item_add(
        actor=w.pm_a, visit=visit, topic="one_child", case=w.case_a, question="How to help?"
    )
    services.agenda_item_add(
        actor=w.pm_b, visit=visit, topic="one_child", case=w.case_b, question="Hitting again."
    )

    client.force_login(w.pm_a)
    assert client.get(visit.get_absolute_url()).status_code == 200
    logged = AccessLogEntry.objects.filter(user=w.pm_a)
    assert list(logged.values_list("case", "action")) == [(w.case_a.pk, "view")]

    # The coach sees both items anonymously without consent: nothing is logged.
    client.force_login(w.coach)
    assert client.get(visit.get_absolute_url()).status_code == 200
    assert not AccessLogEntry.objects.filter(user=w.coach).exists()
