"""Field intake over OpenRosa: ODK Collect and KoboCollect point at Harborlight as their
server (``/openrosa/<organisation-slug>``), download the HTCDS intake form and send the
interviews they recorded offline; each submission becomes a tip through
:func:`harborlight.intake.triage.create_tip`, like the web and the API.
"""
