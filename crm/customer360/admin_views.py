"""The call center's member pages in the admin: search by phone, name, plate or application number, and one
member's 360 view, drawn with the admin's own templates. Visibility is the same rule as everywhere
(members.selectors), so a store account opening another store's member gets "not found"."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from crm.customer360 import selectors
from crm.customer360.backoffice import search_context
from crm.customer360.exceptions import MemberNotFound

# Like the member admin's own pages: the admin shows members to those allowed to view them.
VIEW_MEMBERS = "members.view_member"


def member_search(request):
    if not request.user.has_perm(VIEW_MEMBERS):
        raise PermissionDenied
    context = search_context(request)
    page = context["page"]
    # A search that finds exactly one member lands on their 360 page: the agent has someone on the line.
    if context["search"] and page.paginator.count == 1:
        return redirect("admin-customer360", member_id=page[0].pk)
    context.update(admin.site.each_context(request), title=_("Find a customer"))
    return TemplateResponse(request, "admin/customer360/search.html", context)


def member_page(request, member_id: int):
    if not request.user.has_perm(VIEW_MEMBERS):
        raise PermissionDenied
    try:
        view = selectors.get_customer_360(user=request.user, member_id=member_id)
    except MemberNotFound:
        raise Http404() from None
    context = {
        **admin.site.each_context(request),
        "title": _("Customer 360: %(name)s") % {"name": view.member.real_name or view.member.name or view.phone},
        "view": view,
        "surface": "admin",
        "opts": view.member._meta,
        "original": view.member,
    }
    return TemplateResponse(request, "admin/customer360/member.html", context)
