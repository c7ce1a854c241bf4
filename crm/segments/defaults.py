"""The tag groups and staff tags head office starts with. The data migration creates them; ``ensure_default_tags``
puts back any that are missing (after a database flush, in the demo) and never overwrites head office's edits."""

GROUPS = [
    ("tier", "会员等级", 10),
    ("lifecycle", "生命周期", 20),
    ("loyalty", "忠诚度", 30),
    ("model", "车型", 40),
    ("city", "城市", 50),
    ("care", "用车关怀", 60),
    ("interest", "兴趣偏好", 70),
    ("service", "服务备注", 80),
]
STAFF_TAGS = [
    ("interest", "prefers_ev", "偏好新能源"),
    ("interest", "family_car", "家庭用车"),
    ("interest", "owner_events", "喜欢车主活动"),
    ("service", "prefers_calls_evening", "晚间方便接电话"),
    ("service", "vip_attention", "重点关怀"),
    ("service", "referral_source", "乐于推荐"),
]


def ensure_default_tags(*, group_model=None, tag_model=None) -> None:
    if group_model is None:
        from crm.segments.models import Tag as tag_model  # noqa: N813
        from crm.segments.models import TagGroup as group_model  # noqa: N813
    groups = {}
    for code, name, sort_order in GROUPS:
        groups[code], _created = group_model.objects.get_or_create(
            code=code, defaults={"name": name, "sort_order": sort_order}
        )
    for group, code, name in STAFF_TAGS:
        tag_model.objects.get_or_create(code=code, defaults={"name": name, "group": groups[group], "kind": "staff"})
