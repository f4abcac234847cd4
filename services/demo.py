"""The demo production (SPEC §5): one user per role, and each domain's sample data.

Seeded when the app is first served on an empty data directory (once, even with several
workers), or explicitly by `flask --app app seed-demo`.
"""
import datetime
import logging
import struct
import zlib

from flask import current_app

from services import assets, budget, cast, deliverables, distribution, fountain, schedule, script, tasks, vfx
from services import users as users_service
from utils import clock, domains, uploads
from utils.store import get_store

log = logging.getLogger("prodsight")

DEMO_USERS = (
    ("producer", "Maya Producer", "Producer"),
    ("director", "Daniel Director", "Director"),
    ("pm", "Priya Manager", "Production Manager"),
    ("crew", "Carlos Crew", "Crew"),
    ("vfx", "Vera Effects", "VFX"),
    ("distribution", "Dana Distribution", "Distribution Manager"),
)


DEFAULT_PASSWORD = "prodsight-demo"


class NotEmptyError(RuntimeError):
    pass


def is_empty():
    return not any(get_store().exists(name) for name in domains.production_names())


def seed_demo():
    """Write the demo production into an empty data directory; refuse a non-empty one."""
    with get_store().lock("seed"):
        if not is_empty():
            raise NotEmptyError("The data directory already holds data; seed-demo only fills an empty one")
        _seed()


def seed_if_empty():
    """Seed on first serve; a no-op when another worker got there first. True if it seeded."""
    with get_store().lock("seed"):
        if not is_empty():
            return False
        _seed()
        return True


# (title, status, priority, category, assignee username, due in days from today, hours)
DEMO_TASKS = (
    ("Lock the shooting schedule", "done", "high", "Pre-production", "pm", -20, 16),
    ("Scout the harbour location", "done", "medium", "Locations", "director", -12, 10),
    ("Cast the supporting roles", "in_progress", "high", "Casting", "director", -3, 40),
    ("Book the camera package", "in_progress", "high", "Camera", "crew", -1, 6),
    ("Prepare the call sheets for week 1", "todo", "high", "Production", "pm", 2, 8),
    ("Rig the night exterior lighting", "todo", "medium", "Lighting", "crew", 4, 12),
    ("Build the storm tank miniature", "in_progress", "medium", "Art", "crew", 9, 30),
    ("Previs the rooftop chase", "todo", "high", "VFX", "vfx", 6, 24),
    ("Negotiate festival premiere slot", "todo", "medium", "Distribution", "distribution", 30, 5),
    ("Clear the archive footage rights", "in_progress", "low", "Legal", "distribution", -5, 4),
    ("Approve the wardrobe fittings", "todo", "low", "Wardrobe", None, 12, 3),
    ("Update the cost report", "done", "medium", "Accounting", "pm", -7, 2),
)

# (shotName, status, complexity, priority, assignee username, description, [version statuses])
DEMO_SHOTS = (
    ("SH010_harbour_extension", "done", "high", "high", "vfx", "Set extension of the harbour at dusk",
     ["rejected", "review", "approved"]),
    ("SH020_storm_sky", "in_review", "medium", "high", "vfx", "Replace the overcast sky with a storm",
     ["rejected", "review"]),
    ("SH030_rooftop_wire_removal", "in_progress", "low", "medium", "vfx", "Remove safety wires", ["review"]),
    ("SH040_crowd_multiplication", "todo", "high", "medium", None, "Tile the festival crowd plates", []),
    ("SH050_muzzle_flashes", "todo", "low", "low", "vfx", "Add muzzle flashes and smoke", []),
)


def warn_if_default_password():
    """Log a warning while a demo account still accepts the default demo password."""
    password = current_app.config["DEMO_PASSWORD"]
    if password != DEFAULT_PASSWORD:
        return
    producer = users_service.find_by_login("producer")
    if producer and users_service.verify_password(producer, password):
        log.warning("Demo accounts use the default password %r: set PRODSIGHT_DEMO_PASSWORD or change "
                    "their passwords before sharing this server", password)


class Demo:
    """What the domains' seed steps share, in the order ``create_app`` lists the domains: the
    people (by username) once users are seeded, the scene ids (by number) once the script is."""

    def __init__(self, password):
        self.password = password
        self.today = datetime.date.fromisoformat(clock.today())
        self.people = {}
        self.scene_ids = {}

    @property
    def producer(self):
        return self.people["producer"]

    def day(self, offset):
        """The date ``offset`` days from today, as stored."""
        return (self.today + datetime.timedelta(days=offset)).isoformat()


def _seed():
    demo = Demo(current_app.config["DEMO_PASSWORD"])
    for domain in domains.registered():
        if domain.seed:
            domain.seed(demo)
    log.info("Seeded the demo production: log in as producer, director, pm, crew, vfx or distribution")


def seed_users(demo):
    for username, name, role in DEMO_USERS:
        demo.people[username] = users_service.create_user({
            "username": username, "name": name, "role": role,
            "email": f"{username}@prodsight.example", "password": demo.password,
        }, schema=users_service.DEMO_SCHEMA)


def seed_tasks(demo):
    for title, status, priority, category, who, due_in, hours in DEMO_TASKS:
        tasks.create_task({
            "title": title, "status": status, "priority": priority, "category": category,
            "assigneeId": demo.people[who]["id"] if who else None, "dueDate": demo.day(due_in),
            "estimatedHours": hours,
        }, demo.producer)


def seed_vfx(demo):
    for offset, (name, status, complexity, priority, who, description, versions) in enumerate(DEMO_SHOTS):
        shot = vfx.create_shot({
            "shotName": name, "status": status, "complexity": complexity, "priority": priority,
            "sceneId": demo.scene_ids[DEMO_SHOT_SCENES[offset]],
            "assigneeId": demo.people[who]["id"] if who else None, "description": description,
            "dueDate": demo.day(7 * (offset + 1)), "estimatedHours": 8 * (offset + 2),
        }, demo.producer)
        for number, version_status in enumerate(versions, start=1):
            vfx.add_version(shot["id"], {
                "status": version_status, "notes": f"Round {number} for {name}",
                "fileSize": 250_000_000 * number,
            }, demo.people["vfx"])


# The demo budget: a production of 90 days, day 46 today. (name, budgeted)
DEMO_CATEGORIES = (
    ("Pre-production", 80_000), ("Cast & Crew", 350_000), ("Locations", 150_000),
    ("Camera & Lighting", 120_000), ("VFX & CGI", 200_000), ("Post-production", 100_000),
)
DEMO_START, DEMO_END = -45, 44  # days from today
# (days from today, amount, category, description): Camera & Lighting is over budget and VFX & CGI,
# at 65% of its budget with 51% of the production elapsed, is at risk; the others are on track.
DEMO_LEDGER = (
    (-45, 8_000, "Pre-production", "Script clearance and research"),
    (-44, 60_000, "Cast & Crew", "Lead cast deposits"),
    (-40, 12_000, "Pre-production", "Storyboards"),
    (-38, 25_000, "Locations", "Harbour location permit"),
    (-35, 64_000, "Camera & Lighting", "Camera package rental"),
    (-33, 35_000, "VFX & CGI", "Previs of the rooftop chase"),
    (-30, 15_000, "Pre-production", "Casting director fee"),
    (-30, 50_000, "Cast & Crew", "Crew payroll, weeks 1-2"),
    (-25, 12_000, "Post-production", "Editor deposit"),
    (-22, 30_000, "Locations", "Warehouse set build"),
    (-20, 40_000, "Camera & Lighting", "Lighting package"),
    (-18, 55_000, "VFX & CGI", "Harbour set extension"),
    (-16, 50_000, "Cast & Crew", "Crew payroll, weeks 3-4"),
    (-12, 3_000, "Pre-production", "Table read catering"),
    (-10, 6_750.25, "Post-production", "Dailies processing"),
    (-8, 12_500, "Camera & Lighting", "Drone unit"),
    (-6, 40_000, "VFX & CGI", "Storm sky plates"),
    (-5, 15_000, "Locations", "Location security"),
    (-2, 10_000, "Camera & Lighting", "Replacement lens after rain damage"),
    (-1, 1_249.75, "Post-production", "Backup drives for dailies"),
)


def seed_budget(demo):
    budget.update_settings({"currency": "USD", "startDate": demo.day(DEMO_START), "endDate": demo.day(DEMO_END)})
    for name, budgeted in DEMO_CATEGORIES:
        budget.put_category(name, {"budgeted": budgeted})
    for offset, amount, category, description in DEMO_LEDGER:
        budget.add_entry({"date": demo.day(offset), "amount": amount, "category": category,
                          "description": description}, demo.people["pm"] if amount < 20_000 else demo.producer)


DEMO_SCREENPLAY = """Title: The Harbour Line
Credit: Written by
Author: Daniel Director
Draft date: 2026-11-01

FADE IN:

EXT. HARBOUR - DUSK #1#

Cranes stand against a burning sky. Container ships crowd the quay.

MARA (V.O.)
Every ship that came in that winter carried something nobody declared.

INT. HARBOUR MASTER'S OFFICE - NIGHT #2#

Rain on the windows. OLSEN (60s) studies a manifest under a green lamp.

OLSEN
The Kestrel was due at six.

MARA
It's a quarter to midnight.

EXT. OPEN SEA - NIGHT #3#

A storm. The KESTREL rolls in black water, lights flickering.

CAPTAIN REYES (O.S.)
Hold her steady!

INT./EXT. MARA'S VAN - CONTINUOUS #4#

Mara drives with one hand and dials with the other.

MARA (CONT'D)
Olsen, I need the berth number.

OLSEN (V.O.)
Berth nine. And Mara - be careful.

EXT. ROOFTOP - NIGHT #5#

Mara sprints across wet tar. A COURIER vaults a skylight ahead of her.

COURIER
You don't know what's in the box!

EXT. FESTIVAL SQUARE - DAY #6#

Thousands of people under paper lanterns. Mara pushes through the crowd.

VENDOR
Lanterns! Two for one!

INT. WAREHOUSE - NIGHT #7#

Crates stacked to the ceiling. Gunfire. Muzzle flashes in the dark.

CAPTAIN REYES
Nobody leaves.

I/E POLICE CAR - DAWN #8#

Mara in the back seat, handcuffed, watching the harbour go by.

EXT. HARBOUR - MORNING #9#

The Kestrel sits empty at berth nine. Gulls. Mara walks the quay alone.

MARA (V.O.)
Nobody declared it. So nobody lost it.

FADE OUT.
"""

# scene number -> fields the breakdown cannot read from the text
DEMO_SCENE_DETAILS = {
    1: {"scene_status": "Completed", "vfx_required": True, "vfx_details": "Harbour set extension", "mood_tone": "Ominous"},
    2: {"scene_status": "Completed", "props": ["Manifest", "Green desk lamp"], "scene_complexity": "Low"},
    3: {"scene_status": "In Review", "vfx_required": True, "vfx_details": "Storm sky replacement",
        "scene_complexity": "High", "stunts_vfx": ["Tank work"]},
    4: {"scene_status": "In Progress", "vehicles_animals_fx": ["Mara's van"]},
    5: {"scene_status": "In Progress", "vfx_required": True, "vfx_details": "Wire removal",
        "scene_complexity": "High", "stunts_vfx": ["Rooftop chase on wires"]},
    6: {"vfx_required": True, "vfx_details": "Crowd multiplication", "extras": ["300 festival goers"]},
    7: {"vfx_required": True, "vfx_details": "Muzzle flashes and smoke", "props": ["Crates", "Prop rifles"],
        "scene_complexity": "High"},
    8: {"vehicles_animals_fx": ["Police car"]},
    9: {"mood_tone": "Quiet", "vehicles_animals_fx": ["Gulls"]},
}
# minutes per scene, as the shooting script's page counts say (this short demo text is not to length);
# the scenes' page_eighths are these pages in eighths (a page a minute)
DEMO_RUNTIMES = {1: 2.5, 2: 3, 3: 4, 4: 1.5, 5: 3.5, 6: 2, 7: 4.5, 8: 1, 9: 2}
DEMO_SHOT_SCENES = (1, 3, 5, 6, 7)  # the scene number of each demo shot, in DEMO_SHOTS order


def seed_script(demo):
    """The demo screenplay, broken down into its nine scenes (their ids kept by scene number)."""
    parsed = fountain.breakdown(DEMO_SCREENPLAY)
    scenes = [{**fields, **DEMO_SCENE_DETAILS.get(fields["scene_number"], {}),
               "estimated_runtime_minutes": DEMO_RUNTIMES[fields["scene_number"]],
               "page_eighths": int(DEMO_RUNTIMES[fields["scene_number"]] * 8)} for fields in parsed["scenes"]]
    seeded = script.seed(parsed["title"], scenes, DEMO_SCREENPLAY, demo.producer)
    demo.scene_ids.update((scene["scene_number"], scene["id"]) for scene in seeded["scenes"])


# -- assets: small files generated here, so the demo needs no binary file in the repository --------
CALL_SHEET_LINES = (
    "THE HARBOUR LINE - CALL SHEET, SHOOT DAY 1",
    "General call 06:30  -  Location: North Quay, Harbour",
    "Scene 1  EXT. HARBOUR - DUSK  (Mara V.O.)",
    "Scene 2  INT. HARBOUR MASTER'S OFFICE - NIGHT  (Olsen, Mara)",
    "Weather: rain, wind 30 km/h  -  Sunset 16:42",
)


def _png(width, height, pixel):
    """A truecolour PNG drawn by ``pixel(x, y) -> (r, g, b)``."""
    rows = b"".join(b"\x00" + bytes(channel for x in range(width) for channel in pixel(x, y)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _storyboard_pixel(x, y):
    # A dusk sky over a dark sea, with a quay crane standing at the left third.
    if 18 <= x <= 20 and 8 <= y < 26 or 10 <= x <= 30 and y == 8:
        return (20, 20, 24)
    if y < 26:
        return (250 - 4 * y, 140 - 2 * y, 90 + 3 * y)
    return (20, 40 + (x * 3) % 30, 70)


def _pdf(lines):
    """A one-page PDF showing ``lines`` (ASCII) in Helvetica."""
    escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
    text = "BT /F1 12 Tf 72 740 Td 18 TL " + " ".join(f"({line}) '" for line in escaped) + " ET"
    objects = (
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        "/Contents 5 0 R >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
    )
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("ascii")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode("ascii")
    out += b"".join(f"{offset:010d} 00000 n \n".encode("ascii") for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode("ascii")
    return out


def seed_assets(demo):
    files = (
        ("director", "SC01_harbour_storyboard.png", _png(48, 32, _storyboard_pixel),
         {"category": "storyboard", "description": "Storyboard frame: the harbour at dusk", "tags": "harbour, dusk"}),
        ("pm", "call_sheet_day_01.pdf", _pdf(CALL_SHEET_LINES),
         {"category": "call_sheet", "description": f"Call sheet for shoot day 1 ({demo.day(0)})",
          "tags": "schedule, day 1"}),
        ("producer", "the_harbour_line.fountain", DEMO_SCREENPLAY.encode("utf-8"),
         {"category": "script", "description": "The screenplay, in Fountain", "tags": "screenplay"}),
    )
    for who, name, data, fields in files:
        with uploads.from_bytes(name, data) as upload:
            assets.upload(uploads.Received(fields, [("file", upload)]), demo.people[who])


# -- distribution: a theatrical and an SVOD window, and the theatrical window's feature checklist ----
# (name, territory, platform, licenseType, start and end in days from today, exclusive, price,
#  [(marketing deadline, days from the start, completed, responsible)], notes)
DEMO_WINDOWS = (
    ("Theatrical release - United States", "US", "Theatrical", "Theatrical", 60, 150, True, 1_250_000,
     [("Teaser trailer launch", -90, True, "Marketing"), ("Press junket", -10, False, "Publicity"),
      ("Premiere", -3, False, "Events")],
     "Minimum guarantee shown as the price; premium large formats under discussion."),
    ("SVOD - worldwide", "WW", "Netflix", "SVOD", 240, 240 + 730, True, 4_000_000,
     [("Platform key art", -30, False, "Marketing"), ("Social campaign launch", -7, False, "Digital")],
     "Two-year exclusive streaming licence after the theatrical and EST windows."),
)
# Checklist items of the theatrical window that have moved: name -> (file, [(move, who, note)]).
# Key art, stills and the chain of title (due 30 days ago) are approved; the trailer, due with them,
# is the one overdue item; the E&O certificate (due in 30 days) waits for approval.
DEMO_DELIVERABLE_MOVES = {
    "Key art": ("harbour_line_key_art.png", [("pending", "distribution", None), ("approved", "distribution", None)]),
    "Stills": ("harbour_line_still_01.png", [
        ("pending", "distribution", None), ("rejected", "producer", "Every still needs a caption"),
        ("pending", "distribution", "Captions added"), ("approved", "producer", None)]),
    "Chain of title": ("chain_of_title.pdf", [("pending", "distribution", None), ("approved", "producer", None)]),
    "E&O certificate": ("eo_certificate.pdf", [("pending", "distribution", None)]),
}


def _key_art_pixel(x, y):
    # A night-blue poster with a lit harbour crane and a warm title band at the bottom.
    if y >= 40:
        return (200, 120, 40)
    if 14 <= x <= 16 and 10 <= y < 40 or 6 <= x <= 26 and y == 10:
        return (230, 220, 180)
    return (10, 20 + y, 60 + y)


def seed_distribution(demo):
    dana, day = demo.people["distribution"], demo.day
    windows = []
    for name, territory, platform, license_type, start, end, exclusive, price, deadlines, notes in DEMO_WINDOWS:
        windows.append(distribution.create_window({
            "name": name, "territory": territory, "platform": platform, "licenseType": license_type,
            "startDate": day(start), "endDate": day(end), "exclusivity": exclusive, "price": price, "currency": "USD",
            "notes": notes, "marketingDeadlines": [
                {"name": title, "date": day(start + offset), "completed": done, "responsible": who}
                for title, offset, done, who in deadlines],
        }, dana))
    checklist = deliverables.create_checklist({"releaseId": windows[0]["id"], "template": "feature"}, dana)
    by_name = {item["name"]: item for item in checklist}
    files = {"harbour_line_key_art.png": _png(32, 48, _key_art_pixel),
             "harbour_line_still_01.png": _png(48, 32, _storyboard_pixel),
             "chain_of_title.pdf": _pdf(("THE HARBOUR LINE - CHAIN OF TITLE", "Option and purchase agreement",
                                         "Writer's certificate of authorship")),
             "eo_certificate.pdf": _pdf(("THE HARBOUR LINE - E&O CERTIFICATE", "Errors and omissions insurance",
                                         "Term: three years from first release"))}
    for name, (filename, moves) in DEMO_DELIVERABLE_MOVES.items():
        category = "image" if filename.endswith(".png") else "document"
        with uploads.from_bytes(filename, files[filename]) as upload:
            asset = assets.upload(uploads.Received({"category": category, "description": f"Delivery: {name}",
                                                    "tags": "delivery"}, [("file", upload)]), dana)
        deliverable_id = by_name[name]["id"]
        deliverables.update_deliverable(deliverable_id, {"assetId": asset["id"]}, dana)
        for status, who, note in moves:
            body = {"approvalStatus": status, **({"note": note} if note else {})}
            deliverables.update_deliverable(deliverable_id, body, demo.people[who])
# -- the schedule: a cast with rates, and five shooting days from next Monday (two scenes in the boneyard)
DEMO_CAST = {  # character -> (actor, daily rate)
    "MARA": ("Ines Marlow", 2500), "OLSEN": ("Henrik Dahl", 1200), "CAPTAIN REYES": ("Rafael Ortega", 1800),
    "COURIER": ("Tomas Quill", 900), "VENDOR": ("Lena Park", 400),
}
DEMO_DAYS = (  # (scene numbers, call time, note); scenes 6 and 8 wait in the boneyard
    ((1, 9), "05:30", "North quay all day: the morning scene first, the dusk scene at last light"),
    ((3,), "17:00", "Storm tank at the studio: wet suits for the Kestrel's crew"),
    ((2, 4), "16:00", "Harbour master's office, then the van on the process trailer"),
    ((7,), "18:00", "Warehouse: armourer on set, blanks only"),
    ((5,), "19:00", "Rooftop: stunt team and safety wires rigged from 17:00"),
)


def seed_schedule(demo):
    for character, (actor, rate) in DEMO_CAST.items():
        cast.update_member(character, {"actor": actor, "dailyRate": rate})
    monday = demo.today + datetime.timedelta(days=7 - demo.today.weekday())
    schedule.update({"startDate": monday.isoformat(), "daysOff": ["Saturday", "Sunday"], "days": [
        {"sceneIds": [demo.scene_ids[number] for number in numbers], "callTime": call, "note": note}
        for numbers, call, note in DEMO_DAYS]})
