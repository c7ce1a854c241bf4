from django.urls import path

from members import api

urlpatterns = [
    path("auth/otp/", api.SignInCodeRequestApi.as_view(), name="auth-request-code"),
    path("auth/login/", api.SignInApi.as_view(), name="auth-login"),
    path("auth/logout/", api.SignOutApi.as_view(), name="auth-logout"),
    path("auth/staff-login/", api.StaffSignInApi.as_view(), name="auth-staff-login"),
    path("me/", api.MeApi.as_view(), name="me"),
    path("me/verification/", api.MeVerificationApi.as_view(), name="me-verification"),
    path("me/referrals/", api.MeReferralsApi.as_view(), name="me-referrals"),
    path("me/qualification/", api.MeQualificationApi.as_view(), name="me-qualification"),
    path("me/card/", api.MeCardApi.as_view(), name="me-card"),
    path("me/data/", api.MeDataApi.as_view(), name="me-data"),
    path("me/consents/", api.MeConsentsApi.as_view(), name="me-consents"),
    path("me/consents/<str:kind>/withdraw/", api.MeConsentWithdrawApi.as_view(), name="me-consent-withdraw"),
    path("stores/", api.StoreListApi.as_view(), name="store-list"),
]
