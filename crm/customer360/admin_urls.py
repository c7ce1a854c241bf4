"""Mounted under /admin/ before the admin site's own URLs; admin_view gives the admin's sign-in and staff check."""

from django.contrib import admin
from django.urls import path

from crm.customer360 import admin_views

urlpatterns = [
    path("customer360/", admin.site.admin_view(admin_views.member_search), name="admin-customer360-search"),
    path(
        "members/member/<int:member_id>/360/",
        admin.site.admin_view(admin_views.member_page),
        name="admin-customer360",
    ),
]
