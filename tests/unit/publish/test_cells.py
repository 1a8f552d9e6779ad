import pandas as pd

from scp_metrics.publish.cells import neutralise, neutralise_frame


def test_each_formula_start_is_quoted() -> None:
    payloads = ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|x", "@SUM(A1)",
                "\tleading tab", "\rcarriage"]
    for text in payloads:
        assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_untouched() -> None:
    assert neutralise("Southampton") == "Southampton"
    assert neutralise(-3) == -3
    assert neutralise(None) is None


def test_frame_text_columns_only() -> None:
    frame = pd.DataFrame({"area": ["=1+1", "Hull"], "value": [-1.5, 2.0]})
    out = neutralise_frame(frame)
    assert out["area"].tolist() == ["'=1+1", "Hull"]
    assert out["value"].tolist() == [-1.5, 2.0]
    assert frame["area"].tolist() == ["=1+1", "Hull"]
