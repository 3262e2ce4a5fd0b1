"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py)."""


def targets(cast, whose: str) -> dict:
    # Runs and leads of another organisation answer 404 like any record; id 0 never exists.
    return {"insights:chart_csv": {"chart_id": "gender"},
            "insights:chart_svg": {"chart_id": "gender"},
            "insights:screening_run": {"run_id": 0},
            "insights:lead": {"lead_id": 0},
            "insights:lead_to_tip": {"lead_id": 0},
            "insights:export_job": {"job_id": 0},
            "insights:export_file": {"job_id": 0, "name": "data.csv"}}
