"""The fixed cast of the integration tests, so that permission tests read plainly:
Ada and Bob have accounts (signed in), a visitor and another visitor have none.
In the classroom: Tess teaches (a user in the teachers group), Theo teaches another
class, and Sam and Sue are students (browsers without accounts; they join a class).
Each is a Django test client; the conftest makes them fixtures."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

PASSWORDS = {"ada": "analytical-engine-1843", "bob": "difference-engine-1822",
             "tess": "blackboard-chalk-1901", "theo": "overhead-projector-1962"}


def signed_in(name):
    client = Client()
    client.force_login(User.objects.create_user(name, password=PASSWORDS[name]))
    return client


@pytest.fixture
def ada(db):
    return signed_in("ada")


@pytest.fixture
def bob(db):
    return signed_in("bob")


@pytest.fixture
def visitor():
    return Client()


@pytest.fixture
def other_visitor():
    return Client()


@pytest.fixture
def cast(ada, bob, visitor, other_visitor):
    return {"ada": ada, "bob": bob, "visitor": visitor, "other_visitor": other_visitor}


def teaching(name):
    from django.contrib.auth.models import Group

    client = signed_in(name)
    user = User.objects.get(username=name)
    user.groups.add(Group.objects.get_or_create(name="teachers")[0])
    return client


@pytest.fixture
def teacher(db):
    """Tess: the teacher of the class under test."""
    return teaching("tess")


@pytest.fixture
def other_teacher(db):
    """Theo: a teacher too, of other classes."""
    return teaching("theo")


@pytest.fixture
def student():
    return Client()


@pytest.fixture
def other_student():
    return Client()
