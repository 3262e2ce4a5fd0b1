"""Date and time formats, one per language: every page shows dates the same way.

Templates write ``{{ value|date }}`` (a day), ``{{ value|date:"DATETIME_FORMAT" }}`` (a
moment) or ``{{ value|time }}``; Python uses :func:`django.utils.formats.date_format`.
Nothing else spells a date format, so changing one here changes every page.
"""
