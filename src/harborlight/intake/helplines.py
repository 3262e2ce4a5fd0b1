"""Who to call, in the reader's language: the one place that words the emergency and
hotline numbers.

The numbers and names come from settings (``HARBORLIGHT_EMERGENCY_NUMBER``,
``HARBORLIGHT_HOTLINE_NUMBER``, ``_NAME``, ``_HOURS``, ``_TEXT`` and
``HARBORLIGHT_ORGANISATION_NAME``; see settings.py), so an organisation outside the US
names its own. Every public page, the outreach card, the report API's emergency guidance
and the operator's emergency panel read them from here. The US defaults have Spanish
words in the catalog; a name set by an organisation is shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The defaults in settings.py, marked for translation here (settings is not scanned).
DEFAULT_WORDS = (gettext_noop("National Human Trafficking Hotline"), gettext_noop("Hotline"),
                 gettext_noop("24 hours a day, 7 days a week"))
NONE = "none"


@dataclass(frozen=True)
class Helplines:
    emergency_number: str
    hotline_number: str
    hotline_name: str
    hotline_hours: str  # "" when not configured
    hotline_text: str  # a short code for text messages, "" when none
    organisation_name: str

    @property
    def summary(self) -> str:
        return _("If anyone is in immediate danger, call %(emergency)s now.") % {
            "emergency": self.emergency_number}

    @property
    def hotline_sentence(self) -> str:
        """'National Human Trafficking Hotline, 24 hours a day, 7 days a week: 1-888-…'."""
        return self.hotline_line(self.hotline_number)

    def hotline_line(self, number: str, escape_words: bool = False) -> str:
        """The hotline sentence around ``number``: plain, or (``escape_words``) HTML with
        ``number`` already safe HTML (a tap-to-call link) and the other words escaped."""
        words = {"name": self.hotline_name, "hours": self.hotline_hours,
                 "text": self.hotline_text}
        if escape_words:
            words = {key: escape(value) for key, value in words.items()}
        words["number"] = number
        if self.hotline_hours and self.hotline_text:
            return _("%(name)s, %(hours)s: %(number)s (text %(text)s).") % words
        if self.hotline_hours:
            return _("%(name)s, %(hours)s: %(number)s.") % words
        if self.hotline_text:
            return _("%(name)s: %(number)s (text %(text)s).") % words
        return _("%(name)s: %(number)s.") % words

    def steps(self) -> list[str]:
        """What to do in an emergency, in order (the API's ``emergency_guidance``)."""
        return [_("Call %(emergency)s if someone is in immediate danger.")
                % {"emergency": self.emergency_number},
                self.hotline_sentence,
                _("Do not confront anyone involved; keep yourself safe.")]


def _setting(name: str) -> str:
    value = str(getattr(settings, name, "") or "").strip()
    return "" if value.lower() == NONE else value


def helplines() -> Helplines:
    """The configured numbers, with names and hours in the active language."""
    hours = _setting("HOTLINE_HOURS")
    return Helplines(emergency_number=_setting("EMERGENCY_NUMBER"),
                     hotline_number=_setting("HOTLINE_NUMBER"),
                     hotline_name=_(_setting("HOTLINE_NAME")),
                     hotline_hours=_(hours) if hours else "",
                     hotline_text=_setting("HOTLINE_TEXT"),
                     organisation_name=_setting("ORGANISATION_NAME"))
