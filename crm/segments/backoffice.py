"""Staff tags from the member's 360 page in the back office: add or remove one, then back to the page."""

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import DomainError
from crm.segments import services


@require_POST
@staff_member_required
def change_member_tag(request, member_id: int, action: str):
    tag_code = request.POST.get("tag", "")[:80]
    try:
        if action == "add":
            services.add_staff_tag(actor=request.user, member_id=member_id, tag_code=tag_code)
            messages.success(request, _("Tag added."))
        else:
            services.remove_staff_tag(actor=request.user, member_id=member_id, tag_code=tag_code)
            messages.success(request, _("Tag removed."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("customer360:member", member_id=member_id)
