from django import forms
from django.utils.translation import gettext_lazy as _

from crm.care.complaints.enums import ComplaintCategory, Severity


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ComplaintForm(forms.Form):
    """The member's complaint (and the store's, which also names the member)."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=ComplaintCategory.choices)
    description = forms.CharField(label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    order = forms.TypedChoiceField(label=_("Application (optional)"), coerce=int, required=False, empty_value=None)
    vehicle = forms.TypedChoiceField(label=_("Car (optional)"), coerce=int, required=False, empty_value=None)
    photos = MultiplePhotoField(
        label=_("Photos (optional)"), required=False, widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"})
    )

    def __init__(self, *args, orders=(), vehicles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [("", "—"), *[(order.pk, f"{order.number} {order.trim}") for order in orders]]
        self.fields["vehicle"].choices = [("", "—"), *[(car.pk, car.plate) for car in vehicles]]


class StoreComplaintForm(ComplaintForm):
    phone = forms.CharField(label=_("Member's phone"), max_length=32)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled it?"), coerce=int,
        choices=[(value, str(value)) for value in range(5, 0, -1)], widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(label=_("Anything you would like to add?"), required=False, max_length=500,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class StepForm(forms.Form):
    note = forms.CharField(required=False, max_length=4000)
    severity = forms.ChoiceField(required=False, choices=[("", "—"), *Severity.choices])
    root_cause = forms.CharField(required=False, max_length=4000)
    prevention = forms.CharField(required=False, max_length=4000)
