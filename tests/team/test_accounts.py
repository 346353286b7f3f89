"""Accounts, roles and sessions in the core, on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from thematica.errors import InvalidInput, NotFound
from thematica.team import accounts, sessions
from thematica.team.permissions import Permission, Role, permissions

PASSWORD = "correct horse battery"


def test_an_account_logs_in_with_its_password_only(project):
    made = accounts.add_user(project, "Dev", PASSWORD, role="coder")
    assert (made.name, made.role, made.admin, made.disabled) == ("Dev", Role.CODER, False, False)
    assert accounts.authenticate(project, "Dev", PASSWORD) == made
    assert accounts.authenticate(project, "Dev", PASSWORD + "!") is None
    assert accounts.authenticate(project, "Nobody", PASSWORD) is None
    assert accounts.authenticate(project, "dev", PASSWORD) is None  # names are exact


def test_the_password_is_stored_as_an_argon2id_hash(project):
    from thematica.store.schema import team_user

    accounts.add_user(project, "Dev", PASSWORD)
    with project.read() as conn:
        stored = conn.execute(team_user.select()).one().password_hash
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_bad_names_and_passwords_are_refused(project):
    with pytest.raises(InvalidInput, match="too short: use at least 10 characters"):
        accounts.add_user(project, "Dev", "short")
    with pytest.raises(InvalidInput, match="too long"):
        accounts.add_user(project, "Dev", "x" * 1025)
    with pytest.raises(InvalidInput, match="needs a name"):
        accounts.add_user(project, "  ", PASSWORD)
    with pytest.raises(InvalidInput, match="control character"):
        accounts.add_user(project, "Dev\x00", PASSWORD)
    with pytest.raises(InvalidInput, match="unknown role 'boss'"):
        accounts.add_user(project, "Dev", PASSWORD, role="boss")
    with pytest.raises(InvalidInput, match="make an admin with --admin"):
        accounts.add_user(project, "Dev", PASSWORD, role="admin")
    accounts.add_user(project, "Dev", PASSWORD)
    with pytest.raises(InvalidInput, match="an account named 'Dev' already exists"):
        accounts.add_user(project, "dev", PASSWORD)
    assert [u.name for u in accounts.list_users(project)] == ["Dev"]


def test_grant_replaces_the_project_role_and_revoke_takes_it(project):
    accounts.add_user(project, "Dev", PASSWORD, role="viewer")
    assert accounts.grant(project, "Dev", "coder").role is Role.CODER
    made = accounts.grant(project, "Dev", "admin")
    assert (made.role, made.admin) == (Role.CODER, True)
    assert accounts.revoke(project, "Dev", "coder").role is None
    with pytest.raises(InvalidInput, match="Dev does not hold the role coder: nothing to revoke"):
        accounts.revoke(project, "Dev", "coder")
    assert accounts.revoke(project, "Dev", "admin").admin is False
    with pytest.raises(NotFound, match="no account named 'Eve'"):
        accounts.grant(project, "Eve", "lead")


def test_each_account_change_is_an_audit_event_without_the_password(project):
    accounts.add_user(project, "Dev", PASSWORD, role="coder")
    accounts.grant(project, "Dev", "lead")
    accounts.reset_password(project, "Dev", "another long passphrase")
    events = project.log(3)
    assert [(e.action, e.target, e.actor) for e in events] == [
        ("reset password", "Dev", "tester"),
        ("grant role", "Dev", "tester"),
        ("add user", "Dev", "tester"),
    ]
    assert events[1].before == {"role": "coder", "admin": False}
    assert events[1].after == {"role": "lead", "admin": False}
    assert not any(e.undoable for e in events)
    assert "argon2" not in str([e.as_dict() for e in events])


def test_permissions_of_each_role():
    coder = permissions(Role.CODER, admin=False)
    assert Permission.CODE in coder and Permission.EDIT_OTHERS not in coder
    assert permissions(Role.VIEWER, admin=False) == {
        Permission.PUBLIC,
        Permission.SIGNED_IN,
        Permission.READ,
    }
    lead = permissions(Role.LEAD, admin=False)
    assert {Permission.UNDO, Permission.CONSENSUS, Permission.CODEBOOK} <= lead
    assert Permission.ACCOUNTS not in lead
    assert permissions(None, admin=True) == {
        Permission.PUBLIC,
        Permission.SIGNED_IN,
        Permission.ACCOUNTS,
    }


# -- sessions ---------------------------------------------------------------------------


def test_a_session_is_found_by_its_token_and_ends_on_logout(project):
    user = accounts.add_user(project, "Dev", PASSWORD, role="coder")
    token, session = sessions.start(project, user, "10.0.0.7")
    found = sessions.resolve(project, token)
    assert found == session and found.user.name == "Dev" and len(found.csrf) >= 40
    other, _ = sessions.start(project, user)
    assert other != token and sessions.count(project, user.id) == 2
    assert sessions.end(project, token) is True
    assert sessions.resolve(project, token) is None
    assert sessions.end(project, token) is False
    assert sessions.resolve(project, other) is not None
    assert sessions.resolve(project, "made-up") is None and sessions.resolve(project, "") is None


def test_the_token_is_stored_hashed(project):
    from thematica.store.schema import team_session

    user = accounts.add_user(project, "Dev", PASSWORD)
    token, _ = sessions.start(project, user)
    with project.read() as conn:
        row = conn.execute(team_session.select()).one()
    assert token not in row.token_hash and len(row.token_hash) == 64


def test_an_expired_session_opens_nothing(project):
    user = accounts.add_user(project, "Dev", PASSWORD)
    token, _ = sessions.start(project, user, lifetime=timedelta(seconds=-1))
    assert sessions.resolve(project, token) is None


def test_a_password_reset_or_disabling_ends_every_session(project):
    user = accounts.add_user(project, "Dev", PASSWORD, role="coder")
    first, _ = sessions.start(project, user)
    second, _ = sessions.start(project, user)
    assert accounts.reset_password(project, "Dev", "another long passphrase") == 2
    assert sessions.resolve(project, first) is None and sessions.resolve(project, second) is None
    assert accounts.authenticate(project, "Dev", PASSWORD) is None
    assert accounts.authenticate(project, "Dev", "another long passphrase") is not None
    third, _ = sessions.start(project, user)
    assert accounts.set_disabled(project, "Dev") == 1
    assert sessions.resolve(project, third) is None
    assert accounts.authenticate(project, "Dev", "another long passphrase") is None
    assert accounts.set_disabled(project, "Dev", False) == 0
    assert accounts.authenticate(project, "Dev", "another long passphrase") is not None
