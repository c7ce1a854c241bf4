"""The SLA targets a new installation starts with (business hours), seeded by a data migration; head office edits
them in the admin. A missing row falls back to these."""

from crm.care.complaints.enums import ComplaintCategory, Severity

# severity: (first response, resolution)
DEFAULT_TARGET_HOURS = {
    Severity.GENERAL: (8, 40),
    Severity.SERIOUS: (4, 24),
    Severity.MAJOR: (2, 16),
}


def default_targets() -> list[dict]:
    return [
        {"category": category, "severity": severity, "first_response_hours": first, "resolution_hours": resolution}
        for category in ComplaintCategory.values
        for severity, (first, resolution) in DEFAULT_TARGET_HOURS.items()
    ]
