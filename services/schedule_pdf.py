"""Printable call sheets and stripboards (SPEC §3 Schedule), drawn with reportlab's canvas.

reportlab was chosen over fpdf2 after rendering the same 60-day board with both
(``python -m bench.pdf_libraries``): a third of the install size and faster (README, "Schedule").
Pages are US Letter; text is Helvetica (the PDF's built-in font: nothing to embed).
"""
import datetime
import io

from reportlab import rl_config
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen import canvas

from utils.validation import Enum

rl_config.useA85 = 0  # compressed streams stay binary: no ASCII85 pass, 10-15 % faster and smaller files

DOOD_QUERY = {"format": Enum(("json", "csv"))}
PDF_QUERY = {"format": Enum(("json", "pdf"))}
BOARD_QUERY = {"format": Enum(("pdf",))}

FILL = {"white": (1, 1, 1), "yellow": (1, 0.94, 0.45), "blue": (0.62, 0.76, 1), "green": (0.62, 0.86, 0.6)}
MARGIN, ROW, FONT, BOLD = 36, 15, "Helvetica", "Helvetica-Bold"


class Sheet:
    """A canvas that starts a new page (with its heading) when the next row would not fit."""

    def __init__(self, size, heading):
        self.out = io.BytesIO()
        self.canvas = canvas.Canvas(self.out, pagesize=size, pageCompression=1)
        self.width, self.height = size
        self.heading, self.page = heading, 0
        self.new_page()

    def new_page(self):
        if self.page:
            self.canvas.showPage()
        self.page += 1
        self.y = self.height - MARGIN
        self.heading(self)

    def need(self, height):
        if self.y - height < MARGIN + 12:
            self.new_page()

    def text(self, x, text, size=9, font=FONT, color=(0, 0, 0)):
        self.canvas.setFont(font, size)
        self.canvas.setFillColorRGB(*color)
        self.canvas.drawString(x, self.y, text)

    def line(self, text, size=9, font=FONT, gap=None):
        self.need((gap or size + 4) + 3)
        self.y -= gap or size + 4
        self.text(MARGIN, text, size, font)
        self.y -= 3  # room for descenders above whatever comes next

    def row(self, columns, values, fill=(1, 1, 1), font=FONT, color=(0, 0, 0), wrap=False):
        """Cells of ``columns`` [(x offset, width)] filled with ``fill``; ``wrap`` lets cells take several lines."""
        lines = [_fit(str(value), font, width - 4, wrap) for (_, width), value in zip(columns, values)]
        height = ROW + 10 * (max(len(cell) for cell in lines) - 1)
        self.need(height)
        self.y -= height
        c = self.canvas
        c.setStrokeColorRGB(0.3, 0.3, 0.3)
        c.setFillColorRGB(*fill)
        c.rect(MARGIN, self.y, self.width - 2 * MARGIN, height, fill=1, stroke=1)
        text = c.beginText()  # one text object for the row: far cheaper than a drawString per cell
        text.setFont(font, 8)
        text.setFillColorRGB(*color)
        for (x, _), cell in zip(columns, lines):
            for number, part in enumerate(cell):
                text.setTextOrigin(MARGIN + x + 2, self.y + height - 10 - 10 * number)
                text.textOut(part)
        c.drawText(text)

    def done(self):
        self.canvas.showPage()
        self.canvas.save()
        return self.out.getvalue()


def _fit(text, font, width, wrap):
    """The lines of ``text`` within ``width`` points at 8 pt: all of them when ``wrap``, else the first.
    Measuring is what costs, so a text too short to overflow (no glyph is wider than 8 pt) is not measured."""
    if len(text) * 8 <= width and "\n" not in text:
        return [text]
    lines = simpleSplit(text, font, 8, width) or [""]
    return lines if wrap else lines[:1]


def _date(date):
    return datetime.date.fromisoformat(date).strftime("%a %Y-%m-%d") if date else "date to be set (no start date)"


def _set(strip):
    return f"{strip['int_ext']}. {strip['location'] or '(no location)'} - {strip['day_night']}"


def _ids(strip):
    return ", ".join(str(cast_id) for cast_id in strip["castIds"])


# -- call sheet -------------------------------------------------------------------------------
SCENE_COLUMNS = [(0, 34), (34, 180), (214, 200), (414, 70), (484, 56)]
CAST_COLUMNS = [(0, 34), (34, 150), (184, 190), (374, 80), (454, 86)]


def call_sheet(sheet):
    """The call sheet of ``sheet`` (``callsheet.call_sheet``'s JSON) as a PDF."""
    title = sheet["production"] or "Untitled production"

    def heading(page):
        page.y -= 14
        page.text(MARGIN, title, 16, BOLD)
        page.canvas.setFont(BOLD, 12)
        page.canvas.drawRightString(page.width - MARGIN, page.y, "CALL SHEET")
        page.y -= 4
        if page.page > 1:
            page.line(f"Day {sheet['day']} of {sheet['of']} (continued)", 9)

    page = Sheet(letter, heading)
    page.line(f"Day {sheet['day']} of {sheet['of']}", 14, BOLD, gap=22)
    page.line(f"Date: {_date(sheet['date'])}", 11)
    page.line(f"General call: {sheet['callTime']}", 11, BOLD)
    page.line("Locations: " + ("; ".join(sheet["locations"]) or "none"), 10)
    page.line(f"Scenes ({len(sheet['scenes'])}, {sheet['pages']} pages)", 11, BOLD, gap=22)
    page.row(SCENE_COLUMNS, ["Sc.", "Set", "Description", "Cast", "Pages"], font=BOLD)
    for scene in sheet["scenes"]:
        page.row(SCENE_COLUMNS, [scene["scene_number"], _set(scene), scene["scene_description"] or scene["title"],
                                 _ids(scene), scene["pages"]], FILL[scene["color"]], wrap=True)
    page.line(f"Total pages: {sheet['pages']}", 9, BOLD)
    page.line("Cast", 11, BOLD, gap=22)
    page.row(CAST_COLUMNS, ["ID", "Character", "Actor", "Status", "Call"], font=BOLD)
    for member in sheet["cast"]:
        page.row(CAST_COLUMNS, [member["castId"], member["character"], member["actor"] or "(to be cast)",
                                member["code"], member["callTime"] or "on hold"])
    if not sheet["cast"]:
        page.line("No cast called.", 9)
    page.line("Notes", 11, BOLD, gap=22)
    for text in simpleSplit(sheet["note"] or "None.", FONT, 9, page.width - 2 * MARGIN):
        page.line(text, 9)
    advance = sheet["advanceDay"]
    page.line(f"Advance schedule: day {advance['day']}, {_date(advance['date'])}" if advance
              else "Advance schedule: this is the last shooting day", 11, BOLD, gap=22)
    for strip in sheet["advance"]:  # a strip has its heading, not the scene's description
        heading = strip["title"] if strip["title"] != _set(strip) else ""
        page.row(SCENE_COLUMNS, [strip["scene_number"], _set(strip), heading, _ids(strip), strip["pages"]],
                 FILL[strip["color"]])
    return page.done()


# -- stripboard -------------------------------------------------------------------------------
STRIP_COLUMNS = [(0, 36), (36, 44), (80, 190), (270, 70), (340, 44), (384, 90), (474, 246)]


def stripboard(board, title=""):
    """The board (``schedule.build``) as printed strips in their colours, a black break after each
    day with its date and pages, then the boneyard."""

    def heading(page):
        page.y -= 14
        page.text(MARGIN, f"{title} Stripboard".strip(), 14, BOLD)
        totals = board["totals"]
        page.canvas.setFont(FONT, 9)
        page.canvas.drawRightString(page.width - MARGIN, page.y, f"{totals['days']} days, {totals['scheduledPages']} "
                                    f"pages scheduled, {totals['boneyardPages']} in the boneyard - page {page.page}")
        page.y -= 6
        page.row(STRIP_COLUMNS, ["Sc.", "I/E", "Set", "D/N", "Pages", "Cast", "Title"], font=BOLD)

    page = Sheet(landscape(letter), heading)
    for day in board["days"]:
        for strip in day["strips"]:
            page.row(STRIP_COLUMNS, _strip_cells(strip), FILL[strip["color"]])
        warning = "  OVER CAPACITY" if day["overCapacity"] else ""
        page.row([(0, page.width - 2 * MARGIN)],
                 [f"END OF DAY {day['day']}  -  {_date(day['date'])}  -  {day['pages']} pages{warning}"],
                 (0, 0, 0), BOLD, (1, 1, 1))
    page.line(f"Boneyard ({len(board['boneyard'])} scenes, {board['totals']['boneyardPages']} pages)", 11, BOLD, gap=24)
    for strip in board["boneyard"]:
        page.row(STRIP_COLUMNS, _strip_cells(strip), FILL[strip["color"]])
    return page.done()


def _strip_cells(strip):
    return [strip["scene_number"], strip["int_ext"], strip["location"], strip["day_night"], strip["pages"],
            _ids(strip), strip["title"]]
