"""Page counts as a production office writes them: integer eighths of a page, and text like "2 3/8".

``scene_eighths`` is the one place that says how long a scene is, so the board switches to the
screenplay's own ``page_eighths`` wherever a scene has it.
"""
import math


def scene_eighths(scene):
    """A scene's length in eighths: its ``page_eighths`` when it has one, else a minute a page
    (``estimated_runtime_minutes`` × 8, rounded up), at least 1."""
    eighths = scene.get("page_eighths")
    if isinstance(eighths, int) and not isinstance(eighths, bool) and eighths >= 1:
        return eighths
    minutes = scene.get("estimated_runtime_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)):
        minutes = 0
    return max(1, math.ceil(round(minutes * 8, 6)))  # round: 0.375 × 8 is 3, not 3.0000000001


def text(eighths):
    """3 → "3/8", 19 → "2 3/8", 24 → "3", 0 → "0". Eighths are not reduced (4/8, not 1/2): the board's habit."""
    whole, part = divmod(eighths, 8)
    if not part:
        return str(whole)
    return f"{whole} {part}/8" if whole else f"{part}/8"
