"""The accessible-name check the page walk uses (waymark/testing/form_labels.py)."""

from __future__ import annotations

from waymark.testing.form_labels import unlabelled_controls


def test_it_accepts_each_way_of_naming_a_control() -> None:
    page = """
    <label for="a">A</label><input id="a" name="a">
    <label>B <select name="b"><option>x</option></select></label>
    <textarea name="c" aria-label="C"></textarea>
    <span id="d-name">D</span><input name="d" aria-labelledby="d-name">
    <input name="e" title="E">
    <input type="hidden" name="f"><input type="submit" value="Go"><button>Go</button>
    """
    assert unlabelled_controls(page) == []


def test_it_finds_a_control_with_no_name_or_only_a_placeholder() -> None:
    page = """
    <select name="program"><option>All programs</option></select>
    <label for="other">Other</label><textarea id="note" name="note"></textarea>
    <input type="search" name="q" placeholder="Name">
    <label>Closed</label><input name="after">
    """
    assert unlabelled_controls(page) == [
        "<select name=program>",
        "<textarea name=note>",
        "<input name=q>",
        "<input name=after>",
    ]
