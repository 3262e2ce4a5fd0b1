"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py)."""


def targets(cast, whose: str) -> dict:
    return {"insights:chart_csv": {"chart_id": "gender"},
            "insights:chart_svg": {"chart_id": "gender"}}
