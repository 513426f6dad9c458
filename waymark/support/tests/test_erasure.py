"""A patient's consents, disclosures and reach-outs go with the rest of the record when it
is erased after its retention period (the triggers let only that DELETE through)."""

from __future__ import annotations

import time_machine
from django.apps import apps

from waymark.accounts.models import User
from waymark.conftest import NOW
from waymark.patients.models import Patient
from waymark.rights.services import close_account, erase_record
from waymark.rights.tests.conftest import years_later
from waymark.support.models import Consent, ConsentEnding, Disclosure, ReachOut, SupporterLink
from waymark.support.services import reach_out, revoke_consent
from waymark.support.tests.conftest import actor, consent, invite


def test_it_erases_the_support_rows_with_the_record(
    alice: Patient, sam: User, olivia: User, dana: Patient, frozen: time_machine.Traveller
) -> None:
    sams = consent(invite(alice, sam.email))
    reach_out(actor(alice.user), alice, "", NOW)
    revoke_consent(actor(alice.user), alice, sams, NOW)
    danas = consent(invite(dana, sam.email))
    assert Disclosure.objects.filter(patient=alice).exists()
    close_account(actor(olivia), alice)
    frozen.move_to(years_later(10))
    erase_record(actor(olivia), alice)
    for model in (SupporterLink, Consent, ConsentEnding, Disclosure, ReachOut):
        assert not model.objects.filter(patient_id=alice.pk).exists(), model.__name__
    assert Consent.objects.get() == danas  # another patient's consent stays
    assert apps.get_model("support", "SupporterLink").objects.filter(patient=dana).count() == 1
