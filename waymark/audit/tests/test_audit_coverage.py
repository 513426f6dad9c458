"""Every read that shows a patient to anyone but that patient writes an audit row
(issue 12, point 4).

Not a list of views someone remembered to audit: the test walks every GET URL of the
access matrix (organizations/tests/matrix.py and each app's access_rows.py) as every
persona, and every admin page (lists, object pages, history, search suggestions) as an
organization admin, another organization's admin and an operator. Whenever a response
answers 200 and names a patient (their name, username, e-mail or id) to someone who is
not that patient, an audit row for that patient, by that person, must have been written
during that very request.

The same walk checks that every form control on every page it reads has an accessible
name (waymark/testing/form_labels.py): it is the one walk over every page as every
persona, and a second one would cost the suite as long again.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db.models import ForeignKey, Max
from django.http import HttpRequest
from django.test import Client, RequestFactory
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from waymark.accounts.models import User
from waymark.audit.models import AuditEvent
from waymark.checkins.services import submit_checkin
from waymark.checkins.tests.conftest import answers
from waymark.conftest import make_user
from waymark.notifications.models import Kind
from waymark.notifications.services import Message, notify
from waymark.notifications.tasks import deliver_email
from waymark.organizations.models import Organization, Role
from waymark.organizations.services import add_member
from waymark.organizations.tests.matrix import PERSONAS, World, persona_world
from waymark.organizations.tests.test_access_matrix import MATRIX
from waymark.patients.models import Patient
from waymark.testing.form_labels import unlabelled_controls

ClientFor = Callable[[User | None], Client]
pytestmark = pytest.mark.usefixtures("frozen")


@dataclass(frozen=True)
class Read:
    """One GET by one person, and the patients it named without an audit row for them."""

    who: str
    url: str
    status: int
    named: frozenset[str]
    unaudited: frozenset[str]
    unlabelled: tuple[str, ...] = ()


def identifiers(patient: Patient) -> list[str]:
    user = patient.user
    return [patient.preferred_name, user.get_full_name(), user.username, user.email,
            str(patient.pk), patient.pk.hex]  # fmt: skip


def named_in(content: str, patients: list[Patient]) -> set[Patient]:
    """The patients whose name, username, e-mail or id appears in `content`."""
    return {
        patient
        for patient in patients
        if any(
            re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", content)
            for token in identifiers(patient)
            if token
        )
    }


class Walker:
    """GETs URLs as people and says which patients each response named unaudited."""

    def __init__(self, client_for: ClientFor) -> None:
        self.client_for = client_for
        self.patients = list(Patient.objects.select_related("user"))
        self.reads: list[Read] = []

    def get(self, who: str, user: User | None, url: str) -> Read:
        before = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
        response = self.client_for(user).get(url)
        content = response.content.decode(errors="replace") if response.status_code == 200 else ""
        viewer = user.pk if user is not None else None
        named = {p for p in named_in(content, self.patients) if p.user_id != viewer}
        audited = set(
            AuditEvent.objects.filter(pk__gt=before, actor=user).values_list("patient", flat=True)
        )
        read = Read(
            who,
            url,
            response.status_code,
            frozenset(p.preferred_name for p in named),
            frozenset(p.preferred_name for p in named if p.pk not in audited),
            tuple(unlabelled_controls(content))
            if "html" in response.get("Content-Type", "")
            else (),
        )
        self.reads.append(read)
        return read

    def unaudited(self) -> list[str]:
        return [
            f"{r.who} GET {r.url} named {sorted(r.unaudited)}" for r in self.reads if r.unaudited
        ]

    def unlabelled(self) -> list[str]:
        return [
            f"{r.who} GET {r.url}: {', '.join(r.unlabelled)}" for r in self.reads if r.unlabelled
        ]

    def with_patient_data(self) -> list[Read]:
        return [read for read in self.reads if read.named]


@pytest.fixture
def world(alice: Patient, dana: Patient, erin: Patient, bob: User, carol: User, olivia: User,
          sam: User) -> World:  # fmt: skip
    """The matrix's world, with data on the pages: a safety answer (an urgent alert,
    Bob's notification and its e-mail), an ordinary day for Dana and Erin, and an e-mail
    to Alice herself."""
    submit_checkin(alice, answers(craving=8, safety_concern=True), key=uuid.uuid4())
    submit_checkin(dana, answers(), key=uuid.uuid4())
    submit_checkin(erin, answers(), key=uuid.uuid4())
    reminder = Message(kind=Kind.CHECKIN_REMINDER, title="Time for your check-in", urgent=True)
    notify(alice.organization, alice.user, reminder, dedupe_key="coverage", patient=alice)
    # No Waymark task names a patient now (reassessments are queued in their own table:
    # risk/tasks.py), but the operator's task queue still audits any task whose arguments
    # or result would: a task's arguments changed to name Alice, as one would, left unrun.
    task = deliver_email.enqueue(0)
    DBTaskResult.objects.filter(pk=task.id).update(args_kwargs={"args": [str(alice.pk)]})
    return persona_world(alice, dana, bob, carol, olivia, sam)


# Where each walk must see patient data (it cannot pass by seeing none): as Alice's
# clinician, the caseload, Bob's notifications and the API's patient list. Each person's
# walk is its own test, so that pytest-xdist shares the walks between its workers.
MUST_SEE_PATIENTS = {"clinician": ["patients:caseload", "notifications:inbox", "api:list_patients"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_audits_every_matrix_page_that_names_a_patient(
    world: World, client_for: ClientFor, persona: str
) -> None:
    walker = Walker(client_for)
    gets = sorted(name for name, row in MATRIX.items() if row.method == "get")
    for name in gets:
        url = reverse(name, kwargs=MATRIX[name].kwargs(world))
        walker.get(persona, world.users[persona], url)
    assert not walker.unaudited(), "\n".join(walker.unaudited())
    assert not walker.unlabelled(), "controls without a name:\n" + "\n".join(walker.unlabelled())
    shown = {read.url for read in walker.with_patient_data() if read.who != "patient"}
    for name in MUST_SEE_PATIENTS.get(persona, []):
        assert reverse(name) in shown, name
    print(
        f"\naudit coverage: {len(gets)} GET URLs as {persona} = {len(walker.reads)} reads, "
        f"{sum(r.status == 200 for r in walker.reads)} answered 200, "
        f"{len(walker.with_patient_data())} named a patient to someone else; 0 unaudited"
    )


# --- The admin ------------------------------------------------------------------------


def request_as(user: User) -> HttpRequest:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def admin_urls(organization_admin: User) -> Iterator[str]:
    """Every registered model's list, and each of its objects' change and history pages,
    and search suggestions for every foreign key to a searchable model."""
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield reverse("admin:{}_{}_changelist".format(*info))
        if model_admin.has_add_permission(request_as(organization_admin)):
            yield reverse("admin:{}_{}_add".format(*info))
        for index, obj in enumerate(model._default_manager.order_by("pk")[:10]):
            yield reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            if index == 0:
                yield reverse("admin:{}_{}_history".format(*info), args=[obj.pk])
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            if not isinstance(field, ForeignKey):
                continue
            remote = admin.site._registry.get(field.related_model)  # type: ignore[arg-type]
            if remote is None or not remote.search_fields:
                continue
            query = f"app_label={model._meta.app_label}&model_name={model._meta.model_name}"
            for term in ["", "dana"]:
                yield f"{reverse('admin:autocomplete')}?{query}&field_name={field.name}&term={term}"


@pytest.fixture
def admins(olivia: User, harbour: Organization) -> dict[str, User]:
    hank = make_user("hank")
    add_member(harbour, hank, Role.ADMIN)
    operator = make_user("root")
    operator.is_superuser = operator.is_staff = True
    operator.save()
    return {"org_admin": olivia, "other_org_admin": hank, "operator": operator}


@pytest.mark.parametrize("who", ["org_admin", "other_org_admin", "operator"])
def test_it_audits_every_admin_page_that_names_a_patient(
    world: World, admins: dict[str, User], client_for: ClientFor, who: str
) -> None:
    walker = Walker(client_for)
    urls = list(admin_urls(admins["org_admin"]))
    for url in urls:
        walker.get(who, admins[who], url)
    assert not walker.unaudited(), "\n".join(walker.unaudited())
    # The walk saw patients where the issue found them unaudited (it cannot pass by
    # seeing none): in these lists or their pages, the search suggestions, the
    # operator's accounts and task queue.
    seen = {read.url.split("?")[0] for read in walker.with_patient_data()}
    everywhere = ["patients_patient", "organizations_membership", "autocomplete"]
    home = [*everywhere, "audit_auditevent", "notifications_delivery"]
    expected = {
        "org_admin": home,
        "other_org_admin": everywhere,
        "operator": [*home, "accounts_user", "django_tasks_database_dbtaskresult"],
    }
    for page in expected[who]:
        url = reverse(
            "admin:autocomplete" if page == "autocomplete" else f"admin:{page}_changelist"
        )
        assert any(u.startswith(url) for u in seen), (who, page)
    print(
        f"\nadmin audit coverage: {len(urls)} admin URLs as {who} = {len(walker.reads)} reads, "
        f"{len(walker.with_patient_data())} named a patient; 0 unaudited"
    )


def test_it_writes_a_row_for_each_reading_of_the_same_page(
    world: World, olivia: User, client_for: ClientFor
) -> None:
    client = client_for(olivia)
    alice = world.alice
    for url in [
        reverse("admin:patients_patient_change", args=[alice.pk]),
        reverse("admin:organizations_membership_changelist"),
    ]:
        before = AuditEvent.objects.filter(patient=alice, actor=olivia).count()
        client.get(url)
        client.get(url)
        assert AuditEvent.objects.filter(patient=alice, actor=olivia).count() == before + 2, url


def test_it_audits_only_the_patients_a_search_suggests(
    world: World, olivia: User, client_for: ClientFor
) -> None:
    url = reverse("admin:autocomplete")
    response = client_for(olivia).get(
        url,
        {
            "app_label": "patients",
            "model_name": "episode",
            "field_name": "patient",
            "term": "dan",
        },
    )
    assert [item["text"] for item in response.json()["results"]] == ["Dana"]
    rows = AuditEvent.objects.filter(actor=olivia)
    assert [(row.patient.preferred_name, row.object_type) for row in rows] == [
        ("Dana", "admin_search")
    ]


def test_another_organizations_admin_reads_and_writes_only_their_own(
    world: World, admins: dict[str, User], erin: Patient, client_for: ClientFor
) -> None:
    hank = admins["other_org_admin"]
    client = client_for(hank)
    listed = client.get(reverse("admin:patients_patient_changelist"))
    assert b"Erin" in listed.content and b"Alice" not in listed.content
    assert (
        client.get(reverse("admin:patients_patient_change", args=[world.alice.pk])).status_code
        == 404
    )
    rows = AuditEvent.objects.filter(actor=hank)
    assert {(row.patient, row.organization_id) for row in rows} == {(erin, erin.organization_id)}


def test_the_walk_catches_a_page_that_forgets_its_audit(
    world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check itself can fail: the notifications page without its audit call."""
    monkeypatch.setattr("waymark.notifications.views.audit_shown", lambda *a, **k: None)
    read = Walker(client_for).get(
        "clinician", world.users["clinician"], reverse("notifications:inbox")
    )
    assert read.unaudited == {"Alice"}
