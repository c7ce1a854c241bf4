"""The delivery e-mail (photos and contract of a handed-over car) goes through the outbox: once, whatever is
delivered twice."""

from django.core import mail

from notifications.models import Notification
from notifications.tasks import deliver_notification_task
from orders.tasks import email_delivery_documents_task


def test_handover_queues_one_email_with_the_documents_and_repeats_send_nothing(
    cast, django_capture_on_commit_callbacks
):
    order = cast.advance(cast.new_order(), "ready_for_pickup")
    with django_capture_on_commit_callbacks(execute=True):
        order = cast.advance(order, "delivered")

    row = Notification.objects.get(channel="email")
    assert (row.event, row.status, row.dedupe_key) == (
        "order.delivery_documents",
        "sent",
        f"order:{order.pk}:delivery-documents:email",
    )
    assert row.recipient_id == cast.member_user.pk
    [email] = mail.outbox
    assert email.to == ["buyer@example.com"]
    assert email.subject == "您的爱车 粤B·16888：交车照片及资料"
    [(filename, content, content_type)] = email.attachments
    photo = order.documents.get(kind="delivery_photo")
    assert (filename, content_type) == (f"delivery_photo-{photo.pk}.png", "image/png")
    assert content == photo.file.open("rb").read()

    # A redelivered task (acks_late) or a second queuing: no second row, no second e-mail.
    with django_capture_on_commit_callbacks(execute=True):
        email_delivery_documents_task.apply(kwargs={"order_id": order.pk})
        email_delivery_documents_task.apply(kwargs={"order_id": order.pk})
    deliver_notification_task.apply(kwargs={"notification_id": row.pk})
    deliver_notification_task.apply(kwargs={"notification_id": row.pk})
    assert Notification.objects.filter(channel="email").count() == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.attempts == 1


def test_a_member_without_an_address_gets_no_email_row(cast, django_capture_on_commit_callbacks):
    cast.member.email = ""
    cast.member.save(update_fields=["email"])
    order = cast.advance(cast.new_order(), "ready_for_pickup")
    with django_capture_on_commit_callbacks(execute=True):
        cast.advance(order, "delivered")
    assert not Notification.objects.filter(channel="email").exists()
    assert mail.outbox == []
