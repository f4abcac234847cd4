"""A small reader of Fountain (fountain.io) and plain screenplay text, for the script breakdown.

It finds what a breakdown needs and nothing more: the title page's title, scene headings
(``INT.``, ``EXT.``, ``INT./EXT.``, ``I/E``, ``EST.``, forced ``.HEADING``, numbers ``#12#``),
each scene's characters from dialogue cues, its first action paragraph, and its length. It runs
in linear time on any input: comments are cut with ``str.find`` and every regex sees one short line.
"""
import math
import re

LINES_PER_PAGE = 55  # a page a minute
CHARS_PER_LINE = 60  # a printed action line; a longer source line wraps
MAX_LINE = 300  # no heading or cue is longer: a longer line is action
MAX_SCENES = 2000
MAX_NAME = 50

HEADING = re.compile(r"(INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|E/I)[. ](.*)", re.IGNORECASE)
NUMBER = re.compile(r"\s*#([^#\s]{1,20})#\s*$")
TIME_SPLIT = re.compile(r"(.*\S)\s+[-\u2013\u2014]+\s*(\S.*)")
TITLE_KEY = re.compile(r"([A-Za-z][A-Za-z ]{0,30}):(.*)")
NOT_A_NAME = re.compile(r"(FADE|CUT|DISSOLVE|SMASH|MATCH|JUMP|WIPE|IRIS|INTERCUT|BACK TO|THE END|END|CONTINUED|MORE)\b")
TIMES = {
    "DAY": "DAY", "DAYTIME": "DAY", "AFTERNOON": "DAY", "NOON": "DAY",
    "NIGHT": "NIGHT", "NIGHTTIME": "NIGHT", "MIDNIGHT": "NIGHT",
    "DAWN": "DAWN", "SUNRISE": "DAWN", "DUSK": "DUSK", "SUNSET": "DUSK", "TWILIGHT": "DUSK",
    "MORNING": "MORNING", "EVENING": "EVENING",
    "CONTINUOUS": "CONTINUOUS", "CONT": "CONTINUOUS", "CONT'D": "CONTINUOUS", "LATER": "CONTINUOUS",
    "SAME": "CONTINUOUS",
}


class ScreenplayError(ValueError):
    """The text cannot be broken down (empty, or no scene heading): a message a writer can act on."""


def breakdown(text):
    """``{title, scenes}``: the title page's title (or None) and one dict of scene fields per heading."""
    if not text.strip():
        raise ScreenplayError("is empty: send a screenplay with scene headings (INT. / EXT. ...)")
    lines = _cut(_cut(text.replace("\r\n", "\n").replace("\r", "\n"), "/*", "*/", True), "[[", "]]", False).split("\n")
    title, start = _title_page(lines)
    scenes = _Reader(lines[start:]).scenes()
    if not scenes:
        raise ScreenplayError("has no scene heading: a scene starts with a line like 'INT. KITCHEN - NIGHT'")
    if len(scenes) > MAX_SCENES:
        raise ScreenplayError(f"has more than {MAX_SCENES} scene headings")
    return {"title": title, "scenes": scenes}


def pages(text):
    """Pages of a text at 55 lines a page (0 when empty)."""
    return math.ceil(len(text.splitlines()) / LINES_PER_PAGE)


def _cut(text, opening, closing, to_end):
    """``text`` without its ``opening ... closing`` spans (boneyard, notes). An unclosed span runs
    to the end when ``to_end`` (the boneyard), else it is kept as written (a stray ``[[``)."""
    kept, position = [], 0
    while True:
        start = text.find(opening, position)
        if start < 0:
            break
        end = text.find(closing, start + len(opening))
        if end < 0:
            if not to_end:
                break
            kept.append(text[position:start])
            return "".join(kept)
        kept.append(text[position:start])
        position = end + len(closing)
    kept.append(text[position:])
    return "".join(kept)


def _title_page(lines):
    """(title or None, index of the first line after the title page). A title page is ``Key: value``
    lines at the very top, up to the first blank line."""
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    opening = lines[first].strip() if first < len(lines) else ""
    if not TITLE_KEY.fullmatch(opening) or HEADING.match(opening) or _is_transition(opening):
        return None, 0
    end = next((i for i in range(first, len(lines)) if not lines[i].strip()), len(lines))
    title, key = None, None
    for line in lines[first:end]:
        match = TITLE_KEY.fullmatch(line.strip()) if not line[:1].isspace() else None
        if match:
            key = match.group(1).strip().lower()
            value = match.group(2).strip()
        else:
            value = line.strip()  # an indented continuation of the key above
        if key == "title" and value:
            title = value.strip("*_ ") if title is None else f"{title} {value.strip('*_ ')}"
    return title, end


def _is_transition(line):
    upper = line.upper()
    return (line == upper and line.endswith("TO:")) or (line.startswith(">") and not line.endswith("<"))


class _Reader:
    """One pass over the lines after the title page, scene by scene."""

    def __init__(self, lines):
        self.lines = lines
        self.found = []

    def scenes(self):
        previous_blank = True
        for index, raw in enumerate(self.lines):
            line = raw.strip()
            if not line:
                self._count(0)
                previous_blank = True
                continue
            if line.startswith(("#", "=")):
                continue  # sections, synopses and page breaks are not printed
            heading = _heading(line) if previous_blank and len(line) <= MAX_LINE else None
            if heading:
                heading["scene_number"] = len(self.found) + 1
                self.found.append({**heading, "_lines": 0, "_action": None, "_characters": {}, "_mode": None})
                if len(self.found) > MAX_SCENES:
                    break
            elif self.found:
                self._read(line, previous_blank, index)
            self._count(len(line))
            previous_blank = False
        return [_finish(scene) for scene in self.found]

    def _read(self, line, previous_blank, index):
        """A line inside a scene: a dialogue cue, the first action paragraph, or neither."""
        scene = self.found[-1]
        if not previous_blank:
            if scene["_mode"] == "action":
                scene["_action"] = f"{scene['_action']} {line}"[:500]
            return
        scene["_mode"] = None
        following = self.lines[index + 1].strip() if index + 1 < len(self.lines) else ""
        name = _cue(line) if following and len(line) <= MAX_LINE else None
        if name:
            scene["_characters"].setdefault(name, None)
            scene["_mode"] = "dialogue"
        elif scene["_action"] is None and not _is_special(line):
            scene["_action"] = line.removeprefix("!")[:500]
            scene["_mode"] = "action"

    def _count(self, length):
        """Add one source line to the current scene's printed length (blank runs count once)."""
        if not self.found:
            return
        scene = self.found[-1]
        if length:
            scene["_lines"] += max(1, math.ceil(length / CHARS_PER_LINE))
            scene["_blank"] = False
        elif not scene.get("_blank"):
            scene["_lines"] += 1
            scene["_blank"] = True


def _heading(line):
    """The scene fields a heading line gives, or None when the line is not a heading."""
    forced = line.startswith(".") and line[1:2].isalnum()
    text = line[1:] if forced else line
    match = HEADING.fullmatch(text)
    if not match and not forced:
        return None
    number = NUMBER.search(text)
    if number:
        text = text[:number.start()].rstrip()
    place = HEADING.fullmatch(text).group(2).strip() if match else text
    int_ext = _int_ext(match.group(1)) if match else "INT"
    location, day_night = _place_and_time(place)
    fields = {"title": text[:500], "int_ext": int_ext, "day_night": day_night, "location": location[:200]}
    if number:
        fields["_written"] = number.group(1)
    return fields


def _int_ext(prefix):
    prefix = prefix.upper().replace(".", "")
    return {"INT": "INT", "EXT": "EXT", "EST": "EXT"}.get(prefix, "INT/EXT")


def _place_and_time(place):
    """("HOUSE - KITCHEN", "NIGHT") from "HOUSE - KITCHEN - NIGHT"; without a known time, DAY."""
    match = TIME_SPLIT.fullmatch(place)
    if match:
        for word in re.findall(r"[A-Z']+", match.group(2).upper()):
            if word in TIMES:
                return match.group(1).strip(), TIMES[word]
    return place.strip(), "DAY"


def _cue(line):
    """The character a dialogue cue names (extensions and the dual ``^`` stripped), or None."""
    if line.startswith("@"):
        name = line[1:]
    elif line.startswith(("!", "~", ">", "(", ".", "[")) or line != line.upper():
        return None
    else:
        name = line
    name = name.rstrip()
    if name.endswith("^"):
        name = name[:-1]
    name = re.sub(r"\([^()]*\)", "", name).strip()
    if not name or len(name) > MAX_NAME or not any(c.isalpha() for c in name) or name.endswith(":"):
        return None
    if not line.startswith("@") and (NOT_A_NAME.match(name) or _is_transition(line)):
        return None
    return name


def _is_special(line):
    """Lines that are not action: transitions, centred text (``> THE END <``), lyrics (``~``)."""
    return _is_transition(line) or line.startswith(("~", ">"))


def _finish(scene):
    eighths = max(1, math.floor(scene["_lines"] * 8 / LINES_PER_PAGE + 0.5))
    fields = {key: value for key, value in scene.items() if not key.startswith("_")}
    fields["estimated_runtime_minutes"] = eighths / 8
    fields["scene_description"] = scene["_action"] or ""
    fields["characters"] = list(scene["_characters"])[:500]
    if scene.get("_written") not in (None, str(scene["scene_number"])):
        fields["notes"] = f"Scene number in the screenplay: {scene['_written']}"
    return fields
