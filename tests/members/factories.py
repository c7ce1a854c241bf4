import factory
from django.conf import settings
from django.utils import timezone
from factory.django import DjangoModelFactory

from common.crypto import keyed_hash
from members.models import Consent, Member, Store, User

STAFF_PASSWORD = "correct-horse-battery-staple"


class StoreFactory(DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ST{n:03d}")
    name = factory.Sequence(lambda n: f"门店 {n}")
    city = "深圳"
    address = "深圳市南山区 1 号"
    phone = "0755-80000000"


class MemberUserFactory(DjangoModelFactory):
    class Meta:
        model = User

    phone = factory.Sequence(lambda n: f"+86139{n:08d}")
    username = None


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    user = factory.SubFactory(MemberUserFactory)
    invite_code = factory.Sequence(lambda n: f"T{n:07d}")

    class Params:
        # A member whose real name was verified, as verify_member_identity leaves them (without its points event).
        verified = factory.Trait(
            verification_status="verified",
            real_name="张伟",
            id_number_hash=factory.Sequence(lambda n: keyed_hash(f"factory-id-{n}", purpose="id-number")),
            id_number_masked="4401**********1234",
            verified_at=factory.LazyFunction(timezone.now),
        )

    @factory.post_generation
    def consents(member, create, extracted, **kwargs):
        """A member has agreed to the current policies, the sensitive-data consent included, unless the test says
        ``consents=False`` (or names the kinds)."""
        if not create or extracted is False:
            return
        kinds = extracted if extracted is not None else list(settings.POLICY_VERSIONS)
        Consent.objects.bulk_create(
            [Consent(member=member, kind=kind, version=settings.POLICY_VERSIONS[kind], channel="web") for kind in kinds]
        )


def unverified(member: Member) -> Member:
    """``member`` as before any verification: for tests that verify for real (with a number that decrypts) a member
    the factory made ``verified=True``, such as the cast's applicant."""
    Member.objects.filter(pk=member.pk).update(
        verification_status="unverified", real_name="", id_number_encrypted="", id_number_hash=None,
        id_number_masked="", verified_at=None,
    )  # fmt: skip
    member.refresh_from_db()
    return member


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    role = "call_center"
    password = factory.django.Password(STAFF_PASSWORD)
