"""Throttling (issue 12, point 6): password spraying from one address is stopped, the
client's address is believed only from our own proxies, and API writes are limited per
device token with a 429 in the one error shape and a Retry-After."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.test import Client, RequestFactory
from django.urls import reverse

from waymark.accounts.models import User
from waymark.accounts.services import issue_api_token
from waymark.api import api
from waymark.audit.models import AuditEvent
from waymark.conftest import NOW, PASSWORD
from waymark.patients.models import Patient
from waymark.tests.test_settings import GOOD_KEY, last_line, start
from waymark.throttling import client_ip

ClientFor = Callable[[User | None], Client]
SPRAYER = "203.0.113.5"
ELSEWHERE = "198.51.100.7"


@pytest.fixture
def limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3  # one username from one address
    settings.SIGN_IN_ADDRESS_FAILURE_LIMIT = 4  # every username from one address


def sign_in(username: str, password: str, address: str) -> int:
    data = {"username": username, "password": password}
    return Client().post(reverse("accounts:login"), data, REMOTE_ADDR=address).status_code


def spray(usernames: list[str], address: str, *, paused_at_last: bool = False) -> None:
    """Wrong passwords; the one that reaches a limit is itself answered 429 (axes)."""
    for number, username in enumerate(usernames, start=1):
        paused = paused_at_last and number == len(usernames)
        assert sign_in(username, "Winter2026!", address) == (429 if paused else 200)


@pytest.mark.usefixtures("limits")
def test_it_pauses_an_address_that_sprays_one_password_over_many_usernames(
    alice: Patient, bob: User
) -> None:
    spray(["olga", "pat", "quinn", "ravi"], SPRAYER, paused_at_last=True)  # none reaches 3
    assert sign_in("alice", PASSWORD, SPRAYER) == 429
    assert sign_in("bob", PASSWORD, SPRAYER) == 429
    assert sign_in("alice", PASSWORD, ELSEWHERE) == 302


@pytest.mark.usefixtures("limits")
def test_it_counts_the_same_spraying_from_two_addresses_per_address(alice: Patient) -> None:
    spray(["olga", "pat", "quinn"], SPRAYER)
    spray(["ravi", "sue", "tom"], ELSEWHERE)
    assert sign_in("alice", PASSWORD, "192.0.2.44") == 302  # a third address: unaffected
    spray(["uma"], SPRAYER, paused_at_last=True)
    assert sign_in("alice", PASSWORD, SPRAYER) == 429
    spray(["vic"], ELSEWHERE, paused_at_last=True)
    assert sign_in("alice", PASSWORD, ELSEWHERE) == 429


@pytest.mark.usefixtures("limits")
def test_it_still_pauses_one_username_at_its_own_lower_limit(alice: Patient) -> None:
    assert [sign_in("alice", "not my password", SPRAYER) for _ in range(3)] == [200, 200, 429]
    assert sign_in("alice", PASSWORD, SPRAYER) == 429
    assert sign_in("alice", PASSWORD, ELSEWHERE) == 302


@pytest.mark.usefixtures("limits")
def test_it_lets_a_paused_person_in_once_the_cool_off_has_passed(
    alice: Patient, settings: Any
) -> None:
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(3):
            sign_in("alice", "not my password", SPRAYER)
        assert sign_in("alice", PASSWORD, SPRAYER) == 429
        clock.shift(settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=30))
        assert sign_in("alice", PASSWORD, SPRAYER) == 429  # a try while paused restarts it
        clock.shift(dt.timedelta(minutes=1))
        assert sign_in("alice", PASSWORD, ELSEWHERE) == 302  # elsewhere she was never paused
        clock.shift(settings.AXES_COOLOFF_TIME)
        assert sign_in("alice", PASSWORD, SPRAYER) == 302


@pytest.mark.usefixtures("limits")
def test_it_keeps_counting_an_address_when_the_sprayer_signs_in_to_their_own_account(
    alice: Patient, dana: Patient
) -> None:
    spray(["olga", "pat", "quinn"], SPRAYER)
    assert sign_in("dana", PASSWORD, SPRAYER) == 302  # a real account of the attacker's
    spray(["ravi"], SPRAYER, paused_at_last=True)
    assert sign_in("alice", PASSWORD, SPRAYER) == 429


# --- The client's address -----------------------------------------------------------------


def request_from(remote: str, forwarded: str = "") -> Any:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_it_ignores_x_forwarded_for_unless_a_proxy_is_trusted(settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_from("10.0.0.2", "203.0.113.5")) == "10.0.0.2"


def test_it_reads_the_address_our_proxies_saw_and_not_one_the_client_wrote(
    settings: Any,
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.5")) == "203.0.113.5"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.5, 10.0.0.3")) == ("203.0.113.5")
    assert client_ip(request_from("10.0.0.2", "203.0.113.5")) == "10.0.0.2"  # too few hops
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, not-an-address")) == "10.0.0.2"


@pytest.mark.usefixtures("limits")
def test_it_counts_sign_ins_and_audits_reads_by_the_proxied_address(
    alice: Patient, bob: User, settings: Any, client_for: ClientFor
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    def via_proxy(username: str, password: str, address: str) -> int:
        data = {"username": username, "password": password}
        forwarded = f"6.6.6.6, {address}"  # the left part is the client's own claim
        response = Client().post(
            reverse("accounts:login"), data, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded
        )
        return response.status_code

    for username in ("olga", "pat", "quinn", "ravi"):
        via_proxy(username, "Winter2026!", SPRAYER)
    assert via_proxy("alice", PASSWORD, SPRAYER) == 429
    assert via_proxy("alice", PASSWORD, ELSEWHERE) == 302  # same proxy, another person

    client_for(bob).get(
        reverse("patients:detail", args=[alice.pk]),
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {ELSEWHERE}",
    )
    assert AuditEvent.objects.filter(actor=bob).latest("at").ip == ELSEWHERE


# --- API writes ----------------------------------------------------------------------------


def bearer(user: User) -> dict[str, str]:
    _, secret = issue_api_token(user, "phone")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_it_limits_api_writes_per_token_with_429_and_retry_after(bob: User, settings: Any) -> None:
    settings.API_WRITE_RATE = "3/m"
    phone, tablet = bearer(bob), bearer(bob)
    with time_machine.travel(NOW, tick=False) as clock:
        for _ in range(3):
            assert Client().post("/api/v1/noop", **phone).status_code == 204
        refused = Client().post("/api/v1/noop", **phone)
        assert refused.status_code == 429
        body = refused.json()
        assert (set(body), body["code"]) == ({"code", "message", "errors"}, "throttled")
        wait = int(refused["Retry-After"])
        assert 1 <= wait <= 60
        # Reads are not writes, and another device has its own budget.
        assert Client().get("/api/v1/me", **phone).status_code == 200
        assert Client().post("/api/v1/noop", **tablet).status_code == 204
        # Retried at once: still 429; retried after Retry-After: let through.
        assert Client().post("/api/v1/noop", **phone).status_code == 429
        clock.shift(dt.timedelta(seconds=wait))
        assert Client().post("/api/v1/noop", **phone).status_code == 204


def test_it_can_switch_the_api_write_limit_off(bob: User, settings: Any) -> None:
    settings.API_WRITE_RATE = "2/m"
    settings.API_WRITE_THROTTLE = False
    phone = bearer(bob)
    assert all(Client().post("/api/v1/noop", **phone).status_code == 204 for _ in range(5))


def test_it_limits_a_browser_sessions_api_writes_per_person(
    bob: User, olivia: User, settings: Any, client_for: ClientFor
) -> None:
    settings.API_WRITE_RATE = "2/m"
    for _ in range(2):
        assert client_for(bob).post("/api/v1/noop").status_code == 204
    assert client_for(bob).post("/api/v1/noop").status_code == 429
    assert client_for(olivia).post("/api/v1/noop").status_code == 204


def test_it_documents_429_on_every_api_write() -> None:
    for operations in api.get_openapi_schema()["paths"].values():
        for method, operation in operations.items():
            assert ("429" in operation["responses"]) == (method != "get"), operation


# --- Settings --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"API_WRITE_RATE": "lots"}, "API_WRITE_RATE='lots' is not a rate"),
        ({"CACHE_URL": "memcached://cache:11211"}, "CACHE_URL must start with redis://"),
        ({"TRUSTED_PROXY_COUNT": "-1"}, "TRUSTED_PROXY_COUNT=-1 is below the minimum of 0"),
        ({"API_WRITE_THROTTLE": "sometimes"}, "API_WRITE_THROTTLE='sometimes' is not a yes/no"),
    ],
)
def test_it_refuses_a_bad_throttling_setting_and_names_it(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    result = start(tmp_path, SECRET_KEY=GOOD_KEY, **env)
    assert result.returncode != 0
    assert f"ImproperlyConfigured: {expected}" in last_line(result)


def test_it_counts_in_redis_when_a_cache_url_is_set_and_in_memory_otherwise(
    tmp_path: Path,
) -> None:
    code = "from django.conf import settings as s\nprint(s.CACHES['default']['BACKEND'])"
    local = start(tmp_path, code, SECRET_KEY=GOOD_KEY)
    shared = start(tmp_path, code, SECRET_KEY=GOOD_KEY, CACHE_URL="redis://cache:6379/0")
    assert local.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache"]
    assert shared.stdout.split() == ["django.core.cache.backends.redis.RedisCache"]
