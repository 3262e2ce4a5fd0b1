import pytest

from harborlight.screening import reader
from harborlight.screening.errors import InputProblem


def collect(paths, batch_size=2):
    problems = []
    stream = reader.iter_records(reader.check_paths(paths), batch_size)
    batches = list(reader.batches(stream, batch_size, problems))
    return batches, problems


def test_it_skips_malformed_json_lines_and_reports_their_numbers(tmp_path):
    path = tmp_path / "ads.jsonl"
    path.write_text('{"id": "1", "body": "a"}\n{not json\n\n[1, 2]\n{"body": "no id"}\n'
                    '{"id": "2", "body": "b"}\n{"id": "1", "body": "again"}\n',
                    encoding="utf-8")
    batches, problems = collect([path])
    assert [ad["id"] for batch in batches for ad in batch] == ["1", "2"]
    assert [(p.line, p.message.split(" (")[0]) for p in problems] == [
        (2, "invalid JSON"), (4, "not a JSON object"), (5, "missing 'id'"),
        (7, "duplicate id '1'")]


def test_it_reads_csv_and_reports_rows_of_the_wrong_width(tmp_path):
    path = tmp_path / "ads.csv"
    path.write_text('id,title,body\n1,t,"multi\nline body"\n2,t\n3,t,b\n', encoding="utf-8")
    batches, problems = collect([path])
    assert [ad["id"] for batch in batches for ad in batch] == ["1", "3"]
    assert batches[0][0]["body"] == "multi\nline body"
    assert [(p.line, p.message) for p in problems] == [(4, "expected 3 fields, found 2")]


def test_it_reads_parquet_in_batches(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "ads.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "body": ["x", None, "z"]}), path)
    batches, problems = collect([path], batch_size=2)
    assert [len(batch) for batch in batches] == [2, 1]
    assert "body" not in batches[0][1]
    assert problems == []


def test_it_gives_nothing_for_empty_input(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("", encoding="utf-8")
    assert collect([path]) == ([], [])


@pytest.mark.parametrize("name, content, message", [
    ("missing.jsonl", None, "no such file"),
    ("ads.txt", "x", "unknown input format"),
    ("ads.csv", "title,body\nx,y\n", "no 'id' column"),
    ("ads.parquet", "not parquet", "unreadable Parquet"),
])
def test_it_raises_one_clear_problem_for_unusable_files(tmp_path, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(InputProblem, match=message):
        collect([path])
