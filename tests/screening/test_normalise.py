from harborlight.screening.normalise import normalise


def test_it_folds_fullwidth_and_maps_spans_back():
    text = "Ｃall ２０２·555·０1４3"
    view = normalise(text)
    assert view.text == "call 202·555·0143"
    start = view.text.index("202")
    assert view.original_span(start, start + 3) == (5, 8)


def test_it_drops_zero_width_and_keeps_origins():
    text = "2\u200b0\u200b2"
    view = normalise(text)
    assert view.text == "202"
    assert view.original_span(0, 3) == (0, 5)


def test_it_turns_keycaps_circled_and_arabic_digits_into_ascii():
    assert normalise("4\ufe0f\u20e3").text == "4"
    assert normalise("①②❸").text == "123"
    assert normalise("٣١٢").text == "312"


def test_it_folds_cyrillic_and_greek_lookalikes():
    assert normalise("саll mе").text == "call me"  # Cyrillic с, а, е
    assert normalise("ΝΟΤΕ").text == "note"


def test_it_keeps_ascii_offsets_untouched():
    view = normalise("Plain ASCII text")
    assert view.origin is None
    assert view.text == "plain ascii text"
