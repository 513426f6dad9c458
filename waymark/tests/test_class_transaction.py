"""`class_transaction` (waymark/conftest.py): data a class-scoped fixture builds in it is
shared by the class's tests, what each test writes is gone before the next, and nothing is
left once the class ends. (Under pytest-xdist the tests may run on different workers; on
one worker, whichever runs second would see a leak.)"""

from __future__ import annotations

import pytest

from waymark.accounts.models import User
from waymark.conftest import make_user


@pytest.fixture(scope="class")
def shared_user(class_transaction: None) -> User:
    return make_user("shared-once")


def usernames() -> set[str]:
    return set(
        User.objects.filter(username__startswith="shared-").values_list("username", flat=True)
    )


class TestSharedData:
    def test_it_sees_the_shared_row_and_writes_one(self, shared_user: User, db: None) -> None:
        assert usernames() == {"shared-once"}
        make_user("shared-written-by-first")
        assert usernames() == {"shared-once", "shared-written-by-first"}

    def test_it_sees_the_shared_row_and_writes_another(self, shared_user: User, db: None) -> None:
        assert usernames() == {"shared-once"}
        make_user("shared-written-by-second")
        assert usernames() == {"shared-once", "shared-written-by-second"}


def test_nothing_is_left_after_the_class(db: None) -> None:
    assert usernames() == set()
