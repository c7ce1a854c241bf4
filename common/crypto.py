"""Encryption at rest for personal data, and keyed hashes to look such data up without decrypting it.

Keys come from settings, never from SECRET_KEY: ``FIELD_ENCRYPTION_KEYS`` is a list of Fernet keys, the first
encrypts and all of them decrypt, so a key can be rotated by putting a new one first and running
``manage.py rotate_encryption_keys``. ``PII_HASH_KEY`` keys the lookup hashes.
"""

import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """A stored value did not decrypt with any configured key. Never fall back to showing the ciphertext."""


def _cipher() -> MultiFernet:
    keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must hold at least one Fernet key.")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt_text(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt_text(ciphertext: str) -> str:
    try:
        return _cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("A stored value could not be decrypted with the configured keys.") from error


def rotate_ciphertext(ciphertext: str) -> str:
    """Re-encrypt with the first (current) key."""
    try:
        return _cipher().rotate(ciphertext.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("A stored value could not be decrypted with the configured keys.") from error


def keyed_hash(value: str, *, purpose: str) -> str:
    """A stable HMAC-SHA256 of ``value``: equal inputs give equal hashes, without the key nobody can test guesses."""
    key = hashlib.sha256(f"{purpose}:{settings.PII_HASH_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored as Fernet ciphertext. Empty strings stay empty so "not given" needs no decryption."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt_text(value)
