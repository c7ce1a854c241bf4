"""The back office's task pages: the queues as tabs, one task with its script, completing and assigning.
Thin views: who sees what is ``staff_tasks.selectors``, every write ``staff_tasks.services``."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from common.backoffice import staff_required
from common.exceptions import DomainError
from crm.care.rescue.selectors import open_rescues_for_queue
from crm.customer360.selectors import phone_shown_to
from crm.surveys.enums import SurveyTrigger
from crm.surveys.exceptions import InvalidSurveyAnswers
from crm.surveys.forms import answers_from_post, form_rows
from crm.surveys.selectors import active_questionnaire, questions_of
from crm.workbench.forms import AssignTaskForm, BulkAssignForm, CompleteTaskForm
from orders.selectors import orders_visible_to
from staff_tasks import selectors, services
from staff_tasks.enums import SubjectType, TaskKind
from staff_tasks.exceptions import InvalidNextContact
from vehicles.selectors import owned_vehicles_visible_to

PAGE_SIZE = 25
QUEUE_LABELS = {
    "mine_today": gettext_lazy("Mine today"),
    "overdue": gettext_lazy("Overdue"),
    "unassigned": gettext_lazy("Unassigned"),
    "done": gettext_lazy("Done"),
}


@staff_required
def task_list(request):
    queue = request.GET.get("queue", "")
    if queue not in selectors.TASK_QUEUES:
        queue = "mine_today"
    now = timezone.now()
    page = Paginator(selectors.task_queue(user=request.user, queue=queue, now=now), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for task in page:
        if task.member_id is None:
            task.contact_shown = task.contact_name or phone_shown_to(user=request.user, phone=task.contact_phone)
    counts = selectors.count_task_queues(user=request.user, now=now)
    can_assign = services.can_assign_tasks(user=request.user)
    context = {
        "page": page,
        "queue": queue,
        "now": now,
        "tabs": [(name, QUEUE_LABELS[name], counts[name]) for name in selectors.TASK_QUEUES],
        "bulk_form": BulkAssignForm(user=request.user) if can_assign and queue != "done" else None,
        # Someone waits on the road: the store's open rescues stand above its tasks.
        "open_rescues": open_rescues_for_queue(user=request.user),
    }
    return render(request, "workbench/tasks.html", context)


@require_POST
@staff_required
def bulk_assign(request):
    if not services.can_assign_tasks(user=request.user):
        return HttpResponseForbidden(_("Only store managers and head office can assign tasks."))
    queue = request.POST.get("queue", "")
    back = redirect(reverse("workbench:tasks") + (f"?queue={queue}" if queue in selectors.TASK_QUEUES else ""))
    form = BulkAssignForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return back
    tasks, assignee = form.cleaned_data["tasks"], form.cleaned_data["assignee"]
    try:
        services.assign_tasks(task_ids=tasks, actor=request.user, assignee=assignee)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("%(count)d task(s) assigned to %(name)s.") % {"count": len(set(tasks)), "name": _name(assignee)}
        )
    return back


@staff_required
def task_page(request, task_id: int):
    return _render_task(request, _get_task_or_404(request, task_id))


@require_POST
@staff_required
def complete(request, task_id: int):
    task = _get_task_or_404(request, task_id)
    form = CompleteTaskForm(request.POST)
    if not form.is_valid():
        return _render_task(request, task, complete_form=form, status=400)
    data = form.cleaned_data
    questionnaire = _call_questionnaire(task)
    answers = answers_from_post(questions=questions_of(questionnaire=questionnaire), data=request.POST) if (
        questionnaire
    ) else []  # fmt: skip
    try:
        services.complete_task(
            task_id=task.pk, actor=request.user, outcome=data["outcome"], note=data["note"],
            next_contact_at=data["next_contact_at"], answers=answers or None,
        )  # fmt: skip
    except InvalidNextContact as error:
        form.add_error("next_contact_at", str(error.message))
        return _render_task(request, task, complete_form=form, status=400)
    except InvalidSurveyAnswers as error:
        form.add_error(None, str(error.message))
        return _render_task(request, task, complete_form=form, status=400)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("workbench:task", task_id=task.pk)
    messages.success(request, _("Task done: %(title)s") % {"title": task.title})
    return redirect("workbench:tasks")


@require_POST
@staff_required
def assign(request, task_id: int):
    task = _get_task_or_404(request, task_id)
    if not services.can_assign_tasks(user=request.user):
        return HttpResponseForbidden(_("Only store managers and head office can assign tasks."))
    form = AssignTaskForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_task(request, task, assign_form=form, status=400)
    try:
        services.assign_task(task_id=task.pk, actor=request.user, assignee=form.cleaned_data["assignee"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": _name(form.cleaned_data["assignee"])})
    return redirect("workbench:task", task_id=task.pk)


def _call_questionnaire(task):
    """A return visit is done with the return-visit questionnaire, filled in by the agent during the call."""
    if task.kind != TaskKind.RETURN_VISIT or not task.is_open or task.member_id is None:
        return None
    return active_questionnaire(trigger=SurveyTrigger.RETURN_VISIT)


def _render_task(request, task, *, complete_form=None, assign_form=None, status=200):
    user = request.user
    member = task.member
    can_assign = services.can_assign_tasks(user=user) and task.is_open
    questionnaire = _call_questionnaire(task)
    context = {
        "questionnaire": questionnaire,
        "rows": form_rows(
            questions=questions_of(questionnaire=questionnaire), data=request.POST if request.method == "POST" else None
        ) if questionnaire else [],
        "task": task,
        "now": timezone.now(),
        # One member's task shows the number to call, as their 360 page does; a lead's number follows the leads'
        # rule (masked for store roles).
        "phone": str(member.user.phone) if member else phone_shown_to(user=user, phone=task.contact_phone),
        "cars": _about_first(
            owned_vehicles_visible_to(user=user).filter(member=member).select_related("trim__car_model__brand"),
            task, SubjectType.VEHICLE,
        ) if member else [],
        "orders": _about_first(
            orders_visible_to(user=user).filter(member=member).select_related("trim__car_model__brand").order_by(
                "-created_at"
            ),
            task, SubjectType.ORDER,
        ) if member else [],
        "complete_form": (complete_form or CompleteTaskForm()) if task.is_open else None,
        "assign_form": (assign_form or AssignTaskForm(user=user, initial={"assignee": task.assignee_id}))
        if can_assign
        else None,
    }  # fmt: skip
    return render(request, "workbench/task.html", context, status=status)


def _about_first(rows, task, subject_type: str) -> list:
    """The member's cars (or applications), the one the task is about first, at most three."""
    rows = list(rows[:10])
    if task.subject_type == subject_type:
        rows.sort(key=lambda row: row.pk != task.subject_id)
    return rows[:3]


def _name(user) -> str:
    return user.username


def _get_task_or_404(request, task_id: int):
    task = selectors.get_task(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    return task
