"""Consent as records, and the one gate every disclosure passes (app label ``consent``).

Below cases and intake: a consent belongs to a case, or to a tip before a case exists, but
this app imports neither (it names them by app label), so both can ask it.
"""
