"""Shared HTTP handling of an order's documents for the member pages, the back office and the API."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from common.exceptions import DomainError
from common.middleware import client_ip
from members.personal_data import record_id_document_view
from orders import services
from orders.enums import DocumentKind
from orders.forms import DocumentUploadForm
from orders.models import Order

# Pictures of the ID card show the full ID number: a staff member opening one is logged like a reveal.
ID_CARD_KINDS = {DocumentKind.ID_FRONT, DocumentKind.ID_BACK}


def document_response(request, *, order: Order, document_id: int) -> FileResponse:
    """The document's bytes, private and never sniffed; ``order`` must already be one the requester may see."""
    document = next((item for item in order.documents.all() if item.pk == document_id), None)
    if document is None:
        raise Http404
    if request.user.is_staff and document.kind in ID_CARD_KINDS:
        record_id_document_view(
            staff=request.user, member=order.member, ip_address=client_ip(request),
            reason=_("Opened %(document)s of application %(number)s")
            % {"document": DocumentKind(document.kind).label, "number": order.number},
        )  # fmt: skip
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = f'inline; filename="{document.kind}-{document.pk}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def upload_form_for(request, *, order: Order) -> DocumentUploadForm:
    """An empty upload form with the kind preselected: the one asked for (?kind=), else the first still missing."""
    missing = order.missing_documents()
    kind = request.GET.get("kind", "")
    initial = {"kind": kind if kind in DocumentKind.values else (missing[0] if missing else "")}
    return DocumentUploadForm(initial=initial, for_staff=request.user.is_staff)


def handle_upload(request, *, order: Order) -> tuple[DocumentUploadForm, str | None]:
    """Validate and store an upload posted to an order page. Returns the form and a success message (None when
    nothing was stored; the form then carries the error next to its field)."""
    form = DocumentUploadForm(request.POST, request.FILES, for_staff=request.user.is_staff)
    if not form.is_valid():
        return form, None
    try:
        services.upload_document(
            order=order, kind=form.cleaned_data["kind"], uploaded_file=form.cleaned_data["file"], actor=request.user
        )
    except DomainError as error:
        form.add_error("file" if error.field in (None, "file") else error.field, str(error.message))
        return form, None
    return form, _("Document uploaded.")
