"""The tamper-evident audit trail (app label ``audit``).

- :mod:`.log`: ``record()``, the one way to append an entry;
- :mod:`.chain`: the hashed format, ``verify()`` and anchors (no database needed to check
  an export);
- :mod:`.signals`: sign-in, failed sign-in, lockout and sensitive-model receivers;
- :mod:`.context` and :mod:`.middleware`: who is acting, for entries written by signals;
- :mod:`.views`: the auditors' search and verification pages.
"""
