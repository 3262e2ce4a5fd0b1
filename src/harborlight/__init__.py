"""Harborlight: case management, tip intake, ad screening and de-identified sharing
for organisations that fight human trafficking.

The Django apps (accounts, intake, cases, referrals, insights) sit on top of two plain
Python engines (screening, sharing) that never import Django, so they run in Dask
workers and command-line jobs. Cross-cutting security lives in ``harborlight.security``.
"""

__version__ = "0.1.0"
