"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py)."""


def targets(cast, whose: str) -> dict:
    case = cast.own_case if whose == "own" else cast.other_case
    return {
        "cases:detail": {"reference": case.reference},
        "cases:add_note": {"reference": case.reference},
    }
