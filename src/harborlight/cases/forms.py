from django import forms

from harborlight.cases.models import CaseNote


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["body"]
        labels = {"body": "New note"}
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": 20000})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("A note cannot be empty.")
        if len(body) > 20000:
            raise forms.ValidationError("A note can be 20,000 characters at most.")
        return body
