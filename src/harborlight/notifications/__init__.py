"""Notices in the app for whoever must act (app label ``notifications``); no e-mail.

A notice is created by the service method that performs the act, inside its transaction
(a referral sent, answered; a tip or case assigned; a break-glass access opened), one row
per person who may act on it, and marked done when someone acts on it or the person
dismisses it. Pages only read and dismiss them. Imports nothing of Harborlight, so every
layer above may notify (see docs/architecture.md).
"""
