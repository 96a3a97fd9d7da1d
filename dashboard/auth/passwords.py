"""Password hashing with Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
about 0.1 s per check here, so a login does not tie up a worker; hashes made with other
parameters are upgraded at the next successful login (``needs_rehash``)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10

_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verified against when the account does not exist, so that timing does not reveal user names.
_DUMMY_HASH = _hasher.hash("infosak-no-such-user")


class PasswordPolicyError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; a missing hash costs the same time and returns False."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def check_policy(password: str) -> None:
    """Local accounts need at least MIN_LENGTH characters (NIST 800-63B: length over rules)."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"Lösenordet måste ha minst {MIN_LENGTH} tecken.")
