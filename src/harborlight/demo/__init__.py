"""The local demo (``harborlight demo``): its environment and its synthetic records.

- :mod:`.environment`: the demo's data folder, secret, keyring and logins file; it imports
  no model, so it runs before Django starts;
- :mod:`.records`: a small organisation's worth of synthetic cases, tips, directory
  entries, consents and referrals, made through the same calls the product uses.

Everything here is made up: names come from Faker, phone numbers from the fictional
555-01xx range, narratives from neutral templates; the cast is data (``cast.json``).
"""
