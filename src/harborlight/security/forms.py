from django import forms

from harborlight.security.breakglass import MIN_REASON_LENGTH


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), min_length=MIN_REASON_LENGTH, max_length=1000,
        help_text="Why you need this record now. Your supervisor and the auditors will see it.")


class ReviewForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=1000, label="Review note")
