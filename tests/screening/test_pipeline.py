import pytest

from harborlight.screening.errors import ConfigProblem
from harborlight.screening.extract import Extractor
from harborlight.screening.normalise import Normaliser
from harborlight.screening.pipeline import Pipeline, Settings, featurise_batch


def test_it_rejects_duplicate_names_and_steps_without_transform():
    with pytest.raises(ConfigProblem, match="duplicate pipeline step names: normalise"):
        Pipeline([("normalise", Normaliser()), ("normalise", Normaliser())])
    with pytest.raises(ConfigProblem, match="'broken' \\(object\\) has no transform"):
        Pipeline([("normalise", Normaliser()), ("broken", object())])


def test_it_sets_nested_parameters_by_step_name():
    pipeline = Pipeline([("normalise", Normaliser()), ("extract", Extractor(key=b"k" * 32))])
    pipeline.set_params(extract__region="GB")
    assert pipeline.named_steps["extract"].region == "GB"
    with pytest.raises(ConfigProblem, match="unknown pipeline parameter"):
        pipeline.set_params(extract__colour="blue")


def test_it_keeps_no_raw_text_or_contacts_in_batch_records():
    ads = [{"id": "a1", "title": "Nanny wanted", "body": "Call 202-555-0143, ask for Maria"}]
    features = featurise_batch(ads, Settings(key=b"k" * 32))
    record = features.records[0]
    assert record.identifiers[0][2] == "+1-XXX-XXX-XX43"
    assert record.revealed == ()
    assert "0143" not in repr(record) and "maria" not in repr(record).lower()
    assert len(record.names) == 1
    assert features.offsets.tolist() == [0, len(features.tokens)]
    assert len(features.tokens) >= 5
