import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from orders.models import Installment, Loan, Order, OrderDocument, OrderEvent
from tests.members.factories import MemberFactory
from tests.vehicles.factories import FinancePlanFactory


class OrderFactory(DjangoModelFactory):
    """An application row as the services leave it, without walking the state machine (which the order tests do).
    Each order gets its own finance plan, trim and car model, so a list that loads them row by row shows it."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"TEST{n:08d}")
    member = factory.SubFactory(MemberFactory)
    plan = factory.SubFactory(FinancePlanFactory)
    trim = factory.LazyAttribute(lambda order: order.plan.trim)
    created_by = factory.LazyAttribute(lambda order: order.member.user)
    price = Decimal("129800.00")
    down_payment = Decimal("38940.00")
    monthly_payment = Decimal("2764.14")
    state = "draft"


class OrderEventFactory(DjangoModelFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    transition = "submit"
    from_state = "draft"
    to_state = "submitted"


class OrderDocumentFactory(DjangoModelFactory):
    class Meta:
        model = OrderDocument

    order = factory.SubFactory(OrderFactory)
    kind = "id_front"
    file = factory.Sequence(lambda n: f"orders/test/{n}.png")
    original_name = "photo.png"
    content_type = "image/png"
    size = 72
    uploaded_by = factory.LazyAttribute(lambda document: document.order.member.user)


class LoanFactory(DjangoModelFactory):
    """A loan with two installments."""

    class Meta:
        model = Loan
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory, state="funded")
    principal = Decimal("90860.00")
    annual_rate = Decimal("0.0600")
    term_months = 36
    monthly_payment = Decimal("2764.14")
    total_interest = Decimal("8649.04")
    disbursed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def installments(loan, create, extracted, **kwargs):
        if not create:
            return
        first_due = timezone.localdate() + datetime.timedelta(days=30)
        for number in (1, 2):
            Installment.objects.create(
                loan=loan, number=number, due_on=first_due + datetime.timedelta(days=30 * (number - 1)),
                principal=Decimal("2310.00"), interest=Decimal("454.14"), amount=Decimal("2764.14"),
            )  # fmt: skip
