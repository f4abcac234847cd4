"""The printed layout of a screenplay (SPEC §3 Script, breakdown): lines per element, page breaks,
eighths of a page. Line counts are worked out by hand in each test: US Letter, 55 lines a page,
action 61 characters, dialogue 35, parentheticals 26, one blank line between elements."""
import pytest

from services import fountain, pagination


def printed(text):
    """The laid-out lines of a text (before page breaks), as (kind, text)."""
    return [(line.kind, line.text) for line in pagination.layout(fountain.elements(text))]


def pages(text):
    """The pages of a text, each a list of printed texts."""
    return [[line.text for line in page] for page in pagination.paginate(fountain.elements(text)).pages]


def paragraphs(count, word="x"):
    """``count`` one-line action paragraphs: 2 x count - 1 printed lines (a blank between each)."""
    return "\n\n".join([word] * count)


# -- one element type at a time --------------------------------------------------------------------
def test_a_scene_heading_is_one_line_and_a_long_one_wraps_at_61():
    assert printed("INT. KITCHEN - NIGHT") == [("heading", "INT. KITCHEN - NIGHT")]
    # 13 words of 5 characters and a space: 77 characters; 61 hold 10 words (59 characters), 3 remain.
    long = "INT. " + " ".join(["ROOMS"] * 12)
    assert [kind for kind, _ in printed(long)] == ["heading", "heading"]


def test_action_wraps_at_61_characters_at_the_last_space():
    assert printed("a" * 61) == [("action", "a" * 61)]
    # "abcd " x 13 without the last space: 64 characters; the last space within 61 is at 59.
    text = " ".join(["abcd"] * 13)
    assert printed(text) == [("action", " ".join(["abcd"] * 12)), ("action", "abcd")]
    # each source line of a paragraph wraps on its own: 61 + 62 characters = 1 + 2 lines
    assert len(printed("a" * 61 + "\n" + "b" * 30 + " " + "c" * 31)) == 3


def test_dialogue_wraps_at_35_and_the_cue_takes_one_line():
    assert printed("BOB\n" + "d" * 35) == [("character", "BOB"), ("dialogue", "d" * 35)]
    # "word " x 8 = 39 characters: 7 words (34 characters) fit in 35, the 8th wraps
    assert printed("BOB\n" + " ".join(["word"] * 8)) == [
        ("character", "BOB"), ("dialogue", " ".join(["word"] * 7)), ("dialogue", "word")]


def test_a_parenthetical_wraps_at_26():
    fits = "(" + "p" * 24 + ")"  # 26 characters
    assert printed(f"BOB\n{fits}\nHi.") == [("character", "BOB"), ("parenthetical", fits), ("dialogue", "Hi.")]
    longer = "(" + "aaaa " * 5 + "bbbb)"  # 31 characters: five words of 5 (25 with spaces) then "bbbb)"
    assert [kind for kind, _ in printed(f"BOB\n{longer}\nHi.")] == ["character", "parenthetical", "parenthetical",
                                                                  "dialogue"]


def test_transitions_and_centred_text_take_one_line_each():
    assert printed("CUT TO:") == [("transition", "CUT TO:")]
    assert printed("> THE END <") == [("centered", "THE END")]


def test_one_blank_line_between_elements_however_many_are_written():
    # heading, blank, action, blank, cue, dialogue = 6 lines; the three blank lines count once
    text = "INT. A - DAY\n\nAction.\n\n\n\nBOB\nHi."
    assert [kind for kind, _ in printed(text)] == ["heading", "separator", "action", "separator", "character",
                                                   "dialogue"]


def test_dual_dialogue_prints_side_by_side_as_long_as_the_longer_speech():
    # left: cue + 1 line = 2; right: cue + 2 lines = 3; side by side: 3 lines, not 2 + 1 + 3
    text = "BRICK\nScrew retirement.\n\nSTEEL ^\nScrew retirement.\nTwice."
    lines = printed(text)
    assert len(lines) == 3
    assert lines[0][1] == "BRICK | STEEL" and lines[2][1] == " | Twice."
    # each side is three quarters as wide: dialogue wraps at 26 (35 x 0.75), not 35
    wide = " ".join(["word"] * 6)  # 29 characters: one line of 35, two of 26
    assert len(printed(f"A\nHi.\n\nB ^\n{wide}")) == 3


def test_notes_boneyard_sections_synopses_and_the_title_page_are_not_printed():
    text = "Title: T\n\n# ACT I\n\n= Synopsis\n\nINT. A - DAY [[a note]]\n\n/* gone\n\nlong gone */\nx"
    assert [kind for kind, _ in printed(text)] == ["heading", "separator", "action"]


# -- page breaks --------------------------------------------------------------------------------
def test_a_scene_of_exactly_55_lines_is_one_page_and_8_eighths():
    # heading + blank + one 53-line action paragraph = 55 lines
    text = "INT. A - DAY\n\n" + "x\n" * 53
    layout = pagination.paginate(fountain.elements(text))
    assert layout.page_count == 1 and len(layout.pages[0]) == 55
    assert layout.eighths(0) == 8


def test_one_line_over_a_page_is_two_pages_and_9_eighths():
    # heading + blank + 54 lines = 56. The page cannot end after the paragraph's penultimate line
    # (line 55 of the page), so it ends one line earlier: 54 lines, 1 white, 2 on page 2 = 57 lines
    # -> 57 x 8 / 55 = 8.3 -> 9 eighths.
    text = "INT. A - DAY\n\n" + "x\n" * 54
    layout = pagination.paginate(fountain.elements(text))
    assert [len(page) for page in layout.pages] == [54, 2]
    assert layout.eighths(0) == 9


def test_a_speech_split_across_pages_gets_more_and_contd():
    # heading, blank, 25 one-line paragraphs (49 lines), blank: the cue is line 53, the speech's
    # first two lines are 54 and 55. The page ends after the first: (MORE) takes line 55, and the
    # next page starts with the cue again.
    speech = "\n".join(f"Line {n}." for n in range(1, 7))
    text = "INT. A - DAY\n\n" + paragraphs(25) + "\n\nBOB\n" + speech
    first, second = pages(text)
    assert len(first) == 55 and first[-3:] == ["BOB", "Line 1.", "(MORE)"]
    assert second == ["BOB (CONT'D)", "Line 2.", "Line 3.", "Line 4.", "Line 5.", "Line 6."]


def test_a_cue_is_never_alone_at_the_foot_of_a_page():
    # heading, blank, 26 paragraphs (51 lines), blank: the cue would be line 55, its line 56
    text = "INT. A - DAY\n\n" + paragraphs(26) + "\n\nBOB\nHi."
    first, second = pages(text)
    assert first[-1] == "x" and len(first) == 53
    assert second == ["BOB", "Hi."]


def test_a_scene_heading_is_never_alone_at_the_foot_of_a_page():
    text = "INT. A - DAY\n\n" + paragraphs(26) + "\n\nINT. B - NIGHT\n\nx"
    first, second = pages(text)
    assert first[-1] == "x" and second[0] == "INT. B - NIGHT"


def test_a_forced_page_break_starts_a_new_page():
    assert pages("INT. A - DAY\n\nOne.\n\n===\n\nTwo.") == [["INT. A - DAY", "", "One."], ["Two."]]


def test_no_page_holds_more_than_55_lines_and_none_starts_blank():
    text = "\n\n".join(f"INT. ROOM {n} - DAY\n\nBOB\n" + "\n".join(["Talk talk."] * (n % 9 + 1)) for n in range(80))
    layout = pagination.paginate(fountain.elements(text))
    assert all(0 < len(page) <= 55 and page[0].text for page in layout.pages)


# -- eighths --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lines, eighths", [
    (1, 1), (6, 1),  # under an eighth (6.875 lines) is still 1/8: the minimum
    (7, 2), (55, 8), (56, 9),
    (124, 19), (130, 19),  # 2 3/8: 123.75 < lines <= 130.6
    (131, 20),
])
def test_eighths_round_up_with_one_eighth_at_least(lines, eighths):
    assert pagination.eighths(lines) == eighths


def test_a_scene_of_two_and_three_eighths_pages():
    # heading + 64 one-line paragraphs = 1 + 1 + 127 = 129 lines; each page ends on a paragraph
    # and the blank line after it is not printed at the top of the next: 55 + 55 + 17 = 127 lines
    # -> 127 x 8 / 55 = 18.5 -> 19 eighths = 2 3/8.
    layout = pagination.paginate(fountain.elements("INT. A - DAY\n\n" + paragraphs(64)))
    assert [len(page) for page in layout.pages] == [55, 55, 17]
    assert layout.eighths(0) == 19


def test_the_white_foot_of_a_page_belongs_to_the_scene_printed_above_it():
    # scene A: heading, blank, 26 paragraphs, blank = 54 lines; B's heading cannot be line 55,
    # so page 1 ends at A's last paragraph (53 lines) and its 2 white lines go to A: 55 -> 8/8.
    text = "INT. A - DAY\n\n" + paragraphs(26) + "\n\nINT. B - NIGHT\n\nx"
    layout = pagination.paginate(fountain.elements(text))
    assert layout.eighths(0) == 8 and layout.eighths(1) == 1
