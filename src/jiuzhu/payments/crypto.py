"""Bank account numbers encrypted at rest (Fernet with settings.FIELD_ENCRYPTION_KEY)."""

from __future__ import annotations

import functools

from cryptography.fernet import Fernet
from django.conf import settings


@functools.cache
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def fernet() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()
