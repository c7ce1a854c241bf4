import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from common.crypto import keyed_hash
from members.models import Member, Store, User

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


class StaffFactory(DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    role = "call_center"
    password = factory.django.Password(STAFF_PASSWORD)
