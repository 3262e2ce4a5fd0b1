"""``{% load phones %}``: a phone number people can tap to call, never broken across lines.

``{{ "1-888-373-7888"|phone_link }}`` gives
``<a class="phone" href="tel:1-888-373-7888">1-888-373-7888</a>`` (marked safe, so it can be
a variable of a ``{% blocktranslate %}`` sentence); ``.phone`` keeps it on one line.
``{% hotline helplines %}`` gives the configured hotline's sentence with its number linked.
"""

from __future__ import annotations

import re

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()
DIALABLE = re.compile(r"[^0-9+*#]")


@register.filter
def phone_link(number) -> str:
    number = str(number)
    return format_html('<a class="phone" href="tel:{}">{}</a>', DIALABLE.sub("", number),
                       number)


@register.simple_tag
def hotline(helplines) -> str:
    """The hotline sentence of :mod:`harborlight.intake.helplines` with its number linked:
    ``{% hotline helplines %}``. The configured name, hours and text code are escaped."""
    return mark_safe(helplines.hotline_line(phone_link(helplines.hotline_number),
                                            escape_words=True))
