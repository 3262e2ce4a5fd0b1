"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py)."""


def targets(cast, whose: str) -> dict:
    tip = cast.own_tip if whose == "own" else cast.other_tip
    return {"intake:detail": {"reference": tip.reference}}
