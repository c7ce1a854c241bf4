from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/account/", views.me, name="me"),
    path("me/profile/", views.profile, name="profile"),
    path("me/verification/", views.verification, name="verification"),
    path("me/qualification/", views.qualification, name="qualification"),
    path("me/invite/", views.invite_friends, name="invite"),
    path("me/policies/", views.accept_policies, name="accept-policies"),
    path("me/data/", views.my_data, name="my-data"),
    path("me/data/download/", views.my_data_download, name="my-data-download"),
    path("me/consents/<str:kind>/withdraw/", views.withdraw_consent, name="withdraw-consent"),
    path("me/close/", views.close_account, name="close-account"),
    path("policies/<str:kind>/", views.policy, name="policy"),
]
