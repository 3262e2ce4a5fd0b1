from harborlight.screening.templates import build_template


def test_it_finds_constant_words_and_free_slots():
    texts = [f"home cleaning in <place> our {adjective} cleaners bring supplies open {when} "
             "call <phone>" for adjective, when in
             [("calm", "mornings"), ("kind", "evenings"), ("warm", "weekends")]]
    template = build_template(texts)
    assert template["text"] == ("home cleaning in <place> our [SLOT 1] cleaners bring supplies "
                                "open [SLOT 2] call <phone>")
    assert template["slots"][0]["examples"] == ["calm", "kind", "warm"]
    assert template["typed_slots"] == ["<phone>", "<place>"]
    assert 0 < template["compression"] < 1


def test_it_refuses_a_template_that_does_not_shorten_the_description():
    texts = ["selling a red bike cheap", "violin lessons on weekends downtown",
             "garden tools and a ladder for trade"]
    assert build_template(texts) is None
