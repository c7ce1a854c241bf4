from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/code/", views.sign_in_code, name="sign-in-code"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/profile/", views.profile, name="profile"),
    path("me/verification/", views.verification, name="verification"),
    path("me/qualification/", views.qualification, name="qualification"),
    path("me/invite/", views.invite_friends, name="invite"),
]
