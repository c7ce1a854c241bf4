import pytest
from rest_framework.test import APIClient

from crm.leads import services
from crm.leads.models import Partner
from members.services import issue_access_token


def staff_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_access_token(user=user)}")
    return client


@pytest.fixture
def partner(db):
    return Partner.objects.create(name="汽车之家")


@pytest.fixture
def partner_key(partner) -> str:
    _row, raw_key = services.issue_partner_key(partner_id=partner.pk, label="生产")
    return raw_key


@pytest.fixture
def agent_client(cast):
    return staff_client(cast.call_center)
