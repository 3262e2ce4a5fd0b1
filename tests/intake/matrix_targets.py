"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py)."""

STEPS = ["detail", "answers", "review", "assign", "add_note", "reply", "close", "merge",
         "convert", "handoff"]


def targets(cast, whose: str) -> dict:
    tip = cast.own_tip if whose == "own" else cast.other_tip
    return {f"intake:{step}": {"reference": tip.reference} for step in STEPS}
