"""A screenplay laid out as it is printed (SPEC §3 Script), to count pages and eighths of a page.

The industry page: US Letter, Courier 12 (ten characters an inch, six lines an inch), 55 lines of
text a page. Element widths follow the usletter print profile of afterwriting (``print-profiles.js``):
scene headings, action and transitions 61 characters, character cues 33 (printed from 3.5"), dialogue
35 (SPEC; afterwriting says 36), parentheticals 26; dual dialogue is three quarters as wide, and its
two speeches print side by side. One blank line separates elements.

Page breaks follow afterwriting's liner (``js/utils/fountain/liner.js``): a page is filled up to 55
lines, then the break moves up until it is allowed. It never falls after a scene heading, never just
before a transition, never inside an action paragraph of up to three lines, nor after the first or
the penultimate line of a longer one, never after a cue or a parenthetical whose speech goes on
(so a cue is never alone at the foot of a page); a speech of several lines is split with ``(MORE)``
at the foot and ``NAME (CONT'D)`` at the top of the next page. A line is never split.

Pure: it takes the elements ``services.fountain`` reads and returns pages and lines per scene.
"""
import math

LINES_PER_PAGE = 55
WIDTHS = {"heading": 61, "action": 61, "transition": 61, "centered": 61, "character": 33,
          "parenthetical": 26, "dialogue": 35}
DUAL_FACTOR = 0.75
MORE = "(MORE)"
CONTD = "(CONT'D)"
SPEECH = ("character", "parenthetical", "dialogue")


class Element:
    """One printed element: ``kind`` (heading, action, transition, centered, character,
    parenthetical, dialogue, separator, page_break), its ``text``, the index of its ``scene`` (-1
    before the first heading), the ``block`` it belongs to (a paragraph or a whole speech) and, for
    dual dialogue, ``dual`` ("left" or "right")."""

    __slots__ = ("kind", "text", "scene", "block", "dual")

    def __init__(self, kind, text="", scene=-1, block=0, dual=None):
        self.kind, self.text, self.scene, self.block, self.dual = kind, text, scene, block, dual


class Line:
    """One printed line; ``first``/``last`` say where it sits in its block (for the break rules)."""

    __slots__ = ("kind", "text", "scene", "block", "first", "last", "penultimate", "size", "dual")

    def __init__(self, kind, text, scene, block=-1, dual=False):
        self.kind, self.text, self.scene, self.block, self.dual = kind, text, scene, block, dual
        self.first = self.last = True
        self.penultimate = False
        self.size = 1

    @property
    def blank(self):
        return self.kind in ("separator", "page_break")


class Layout:
    """``pages``: lists of ``Line``; ``scene_lines``: printed lines per scene index (blank lines and
    the white space a page break leaves at the foot of a page included)."""

    def __init__(self, pages, scene_lines):
        self.pages, self.scene_lines = pages, scene_lines

    @property
    def page_count(self):
        return len(self.pages)

    def eighths(self, scene):
        return eighths(self.scene_lines.get(scene, 0))


def eighths(lines):
    """A length of ``lines`` printed lines in eighths of a 55-line page, rounded up, at least 1."""
    return max(1, -(-lines * 8 // LINES_PER_PAGE))


def wrap(text, width):
    """``text`` in lines of at most ``width`` characters, broken at the last space that fits (a
    word longer than a line is cut)."""
    lines = []
    while len(text) > width:
        cut = text.rfind(" ", 0, width + 1)
        if cut <= 0:
            lines.append(text[:width])
            text = text[width:].lstrip(" ")
        else:
            lines.append(text[:cut].rstrip(" "))
            text = text[cut + 1:].lstrip(" ")
    lines.append(text)
    return lines


def layout(elements):
    """The elements as printed lines, before page breaks (blank separators collapsed)."""
    lines = []
    index, count = 0, len(elements)
    while index < count:
        element = elements[index]
        if element.kind == "separator":
            if lines and not lines[-1].blank:
                lines.append(Line("separator", "", lines[-1].scene))
            index += 1
        elif element.kind == "page_break":
            while lines and lines[-1].kind == "separator":
                lines.pop()
            lines.append(Line("page_break", "", element.scene))
            index += 1
        elif element.dual == "left":
            index = _dual(elements, index, lines)
        else:
            end = index
            while end < count and elements[end].block == element.block and not _blank(elements[end]):
                end += 1
            _block(elements[index:end], lines, 1.0)
            index = end
    while lines and lines[-1].blank:
        lines.pop()
    return lines


def paginate(elements):
    """The ``Layout`` of the elements: lines broken into pages of at most 55 lines."""
    lines = layout(elements)
    pages, scene_lines = [], {}
    position, carry = 0, []
    while True:
        while position < len(lines) and lines[position].blank and not carry:
            position += 1  # a page never starts with a blank line
        if position >= len(lines) and not carry:
            break
        window = carry + lines[position:position + LINES_PER_PAGE + 2]
        page, used, carry = _page(window, len(carry))
        position += max(used, 1) if not carry else used
        while position < len(lines) and lines[position].kind == "page_break":
            position += 1
        if page:
            pages.append(page)
    for number, page in enumerate(pages):
        for line in page:
            scene_lines[line.scene] = scene_lines.get(line.scene, 0) + 1
        if number < len(pages) - 1:  # the white foot of a page goes to the scene printed above it
            scene_lines[page[-1].scene] = scene_lines.get(page[-1].scene, 0) + LINES_PER_PAGE - len(page)
    return Layout(pages, scene_lines)


# -- inside ----------------------------------------------------------------------------------------
def _blank(element):
    return element.kind in ("separator", "page_break")


def _block(elements, lines, factor, dual=False):
    """Append the lines of one block (a paragraph, a heading, a speech) to ``lines``."""
    start = len(lines)
    for element in elements:
        width = max(1, math.floor(WIDTHS.get(element.kind, WIDTHS["action"]) * factor))
        for text in wrap(element.text, width):
            lines.append(Line(element.kind, text, element.scene, element.block, dual))
    block = lines[start:]
    for position, line in enumerate(block):
        line.first, line.last = position == 0, position == len(block) - 1
        line.penultimate, line.size = position == len(block) - 2, len(block)
    return block


def _dual(elements, index, lines):
    """Lay out a dual dialogue (the left speech at ``index``, then the right one) side by side: as
    many lines as the longer speech. Returns the index after the right speech."""
    left_end = index
    while left_end < len(elements) and elements[left_end].dual == "left":
        left_end += 1
    right_start = left_end
    while right_start < len(elements) and _blank(elements[right_start]) and elements[right_start].kind != "page_break":
        right_start += 1
    right_end = right_start
    while right_end < len(elements) and elements[right_end].dual == "right":
        right_end += 1
    left, right = [], []
    _block(elements[index:left_end], left, DUAL_FACTOR, dual=True)
    _block(elements[right_start:right_end], right, DUAL_FACTOR, dual=True)
    block_id = elements[index].block
    merged = []
    for row in range(max(len(left), len(right))):
        source = left[row] if row < len(left) else right[row]
        text = " | ".join(side[row].text if row < len(side) else "" for side in (left, right))
        merged.append(Line(source.kind, text, source.scene, block_id, dual=True))
    for position, line in enumerate(merged):
        line.first, line.last = position == 0, position == len(merged) - 1
        line.penultimate, line.size = position == len(merged) - 2, len(merged)
    lines.extend(merged)
    return right_end


def _page(window, carried):
    """(the page's lines, how many source lines it used, the lines carried to the next page)."""
    limit = min(len(window), LINES_PER_PAGE)
    for stop in range(carried, limit):
        if window[stop].kind == "page_break":  # a forced break within reach
            return _trim(window[:stop]), stop - carried, []
    if len(window) <= LINES_PER_PAGE:
        return _trim(window), len(window) - carried, []
    last = _previous_text(window, LINES_PER_PAGE)
    candidate = last
    while candidate > carried:
        verdict = _may_break(window, candidate)
        if verdict == "split":
            speaker = next((line for line in reversed(window[:candidate])
                            if line.kind == "character" and line.block == window[candidate].block), None)
            name = speaker.text if speaker else ""
            contd = Line("character", name if CONTD in name else f"{name} {CONTD}".strip(), window[candidate].scene,
                         window[candidate].block)
            more = Line("parenthetical", MORE, window[candidate].scene, window[candidate].block)
            return window[:candidate] + [more], candidate - carried, [contd]
        if verdict:
            return _trim(window[:candidate + 1]), candidate + 1 - carried, []
        candidate = _previous_text(window, candidate)
    # nothing allowed: break where the page is full (a page never overflows)
    return _trim(window[:last + 1]), last + 1 - carried, []


def _trim(page):
    while page and page[-1].blank:
        page = page[:-1]
    return page


def _previous_text(window, index):
    """The index of the last printed (non-blank) line before ``index`` (-1 when none)."""
    index -= 1
    while index >= 0 and window[index].blank:
        index -= 1
    return index


def _next_text(window, index):
    index += 1
    while index < len(window) and window[index].blank:
        index += 1
    return window[index] if index < len(window) else None


def _may_break(window, index):
    """May the page end after ``window[index]``? True, False, or "split" (a speech split there,
    the line at ``index`` going to the next page after the cue)."""
    line, after = window[index], _next_text(window, index)
    before_index = _previous_text(window, index)
    before = window[before_index] if before_index >= 0 else None
    if after is None:
        return True
    if line.kind == "heading" and after.kind != "heading":
        return False
    if after.kind == "transition" and line.kind != "transition":
        return False
    if line.kind in ("action", "centered") and not line.dual:
        if line.size < 4 and not line.last:
            return False
        if line.size >= 4 and (line.first or line.penultimate):
            return False
    if line.dual and after.block == line.block:
        return False  # the two speeches side by side stay together
    if (line.kind == "dialogue" and after.kind == "dialogue" and after.block == line.block
            and before is not None and before.kind == "dialogue" and before.block == line.block):
        return "split"
    if line.kind in SPEECH and after.kind in ("dialogue", "parenthetical") and after.block == line.block:
        return False
    return True
