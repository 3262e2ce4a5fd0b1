"""The tamper-evident audit trail (app label ``audit``).

- :mod:`.log`: ``record()``, the one way to append an entry, and ``audited()``, the block
  in which a domain method performs one act and records it once;
- :mod:`.chain`: the hashed format, the walk that checks it and anchors: pure, so an
  export is checked without a database;
- :mod:`.store`: the stored chain: append, head, entries, ``verify()`` of the database;
- :mod:`.signals`: sign-in, failed sign-in, lockout, and the backstop for plain saves of
  sensitive models;
- :mod:`.context` and :mod:`.middleware`: who is acting, for entries written by signals.

The auditors' pages (search, verify) are in :mod:`harborlight.security.views`.
"""
