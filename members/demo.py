"""Members demo data, loaded idempotently: stores, staff of every role, members at several stages."""

import datetime

from django.db import transaction

from members.consents import ConsentSource, grant_consents
from members.enums import Channel, ConsentKind, Employment, Gender, IncomeBand, MaritalStatus, StaffRole
from members.id_numbers import check_character
from members.models import Member, Store
from members.services import (
    register_member,
    save_member_qualification,
    save_staff_account,
    update_member_profile,
    verify_member_identity,
)

DEMO_STAFF_PASSWORD = "demo-pass-2026"  # noqa: S105  (demo data, printed on purpose)

STORES = [
    {
        "code": "SZ01",
        "name": "深圳南山旗舰店",
        "city": "深圳",
        "address": "深圳市南山区科技园南路 88 号",
        "phone": "0755-86000001",
    },
    {
        "code": "GZ01",
        "name": "广州天河店",
        "city": "广州",
        "address": "广州市天河区天河路 208 号",
        "phone": "020-38000002",
    },
    {
        "code": "BJ01",
        "name": "北京朝阳店",
        "city": "北京",
        "address": "北京市朝阳区建国路 93 号",
        "phone": "010-65000003",
    },
]

STAFF = [
    ("callcenter", StaffRole.CALL_CENTER, None),
    ("store.sz", StaffRole.STORE_STAFF, "SZ01"),
    ("manager.sz", StaffRole.STORE_MANAGER, "SZ01"),
    ("store.gz", StaffRole.STORE_STAFF, "GZ01"),
    ("reviewer", StaffRole.REVIEWER, None),
    ("finance", StaffRole.FINANCE, None),
    ("headoffice", StaffRole.HEAD_OFFICE, None),
    ("admin", StaffRole.ADMIN, None),
]
# How history names them.
STAFF_NAMES = {
    "callcenter": "刘晓燕", "store.sz": "陈晨", "manager.sz": "黄志强", "store.gz": "林佳", "reviewer": "高敏",
    "finance": "何静", "headoffice": "马建国", "admin": "系统管理员",
}  # fmt: skip


def demo_id_number(*, region: str, born_on: datetime.date, sequence: str) -> str:
    first_17 = f"{region}{born_on:%Y%m%d}{sequence}"
    return first_17 + check_character(first_17)


@transaction.atomic
def seed_members_demo() -> dict[str, Store]:
    """Stores, staff of every role, and five members at several stages. Returns the stores by code."""
    stores = {row["code"]: Store.objects.update_or_create(code=row["code"], defaults=row)[0] for row in STORES}
    for username, role, store_code in STAFF:
        save_staff_account(
            username=username, password=DEMO_STAFF_PASSWORD, role=role, store_code=store_code,
            full_name=STAFF_NAMES[username],
        )  # fmt: skip
    if not Member.objects.filter(user__phone="+8613800000001").exists():
        _seed_members(stores)
    return stores


def agree_to_every_policy(member: Member) -> Member:
    """Demo members have agreed to every policy, the sensitive-data consent included."""
    grant_consents(
        member=member,
        kinds=ConsentKind.values,
        source=ConsentSource(ip_address=None, user_agent="demo data", channel="web"),
    )
    return member


def _seed_members(stores):
    # A brand-new member: just registered.
    agree_to_every_policy(register_member(phone="13800000001"))
    # A member with a completed profile, from a partner channel.
    zhang = agree_to_every_policy(
        register_member(phone="13800000002", channel=Channel.PARTNER, channel_partner="平安好车")
    )
    update_member_profile(
        member=zhang, name="张伟", gender=Gender.MALE, birthday=datetime.date(1988, 5, 20), city="深圳",
        email="zhang.wei@example.com", preferred_store=stores["SZ01"],
    )  # fmt: skip
    # A verified member with qualification info, ready to apply.
    wang = agree_to_every_policy(register_member(phone="13800000003", channel=Channel.CALL_CENTER))
    born_on = datetime.date(1990, 3, 7)
    update_member_profile(
        member=wang,
        name="王芳",
        gender=Gender.FEMALE,
        birthday=born_on,
        city="广州",
        preferred_store=stores["GZ01"],
    )
    verify_member_identity(
        member=wang, real_name="王芳", id_number=demo_id_number(region="440106", born_on=born_on, sequence="128")
    )
    save_member_qualification(
        member=wang, employment=Employment.EMPLOYED, employer_name="广州某科技有限公司",
        monthly_income_band=IncomeBand.FROM_10K_TO_20K, years_at_job=4, has_driving_licence=True,
        marital_status=MaritalStatus.MARRIED,
    )  # fmt: skip
    # Two friends who signed up with Wang Fang's invite code.
    wang.refresh_from_db()
    agree_to_every_policy(register_member(phone="13800000004", referrer=wang))
    agree_to_every_policy(register_member(phone="13800000005", referrer=wang, channel=Channel.QUICK_SUBMIT))
