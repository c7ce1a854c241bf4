"""Encryption at rest: keys of their own, rotation, and no ciphertext ever shown."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from common.crypto import DecryptionError, decrypt_text, encrypt_text, keyed_hash
from members.id_numbers import check_character
from members.models import Member
from members.services import save_member_qualification, verify_member_identity

pytestmark = pytest.mark.django_db


def _raw_column(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608  (fixed identifiers)
        return cursor.fetchone()[0]


def _verified_member(member) -> str:
    first_17 = "44010619900307128"
    id_number = first_17 + check_character(first_17)
    verify_member_identity(member=member, real_name="王芳", id_number=id_number)
    return id_number


def test_encryption_does_not_use_the_secret_key(settings):
    ciphertext = encrypt_text("440106199003071281")
    settings.SECRET_KEY = "another-secret-key-entirely-different-0123456789"
    assert decrypt_text(ciphertext) == "440106199003071281"


def test_keyed_hash_depends_on_its_own_key(settings):
    before = keyed_hash("440106199003071281", purpose="id-number")
    settings.PII_HASH_KEY = "rotated"
    assert keyed_hash("440106199003071281", purpose="id-number") != before


def test_a_value_that_does_not_decrypt_is_an_error_never_ciphertext(member, settings):
    _verified_member(member)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        Member.objects.get(pk=member.pk)


def test_key_rotation_reencrypts_with_the_new_key(member, settings):
    id_number = _verified_member(member)
    save_member_qualification(
        member=member, employment="employed", employer_name="某公司", monthly_income_band="5k_10k", years_at_job=1,
        has_driving_licence=True, marital_status="single",
    )  # fmt: skip
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    new_key = Fernet.generate_key().decode()
    before = _raw_column("members_member", "id_number_encrypted", member.pk)

    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_keys")
    settings.FIELD_ENCRYPTION_KEYS = [new_key]

    after = _raw_column("members_member", "id_number_encrypted", member.pk)
    assert after != before
    member = Member.objects.get(pk=member.pk)
    assert member.id_number_encrypted == id_number
    assert member.qualification.employer_name == "某公司"


def test_verification_keeps_birthday_from_the_id_number(member):
    _verified_member(member)
    member.refresh_from_db()
    assert member.birthday == datetime.date(1990, 3, 7)
    assert member.id_number_masked == "4401**********" + member.id_number_encrypted[-4:]
