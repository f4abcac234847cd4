"""fpdf2 and reportlab side by side: the same 60-day stripboard (200 strips in four colours, a black
break per day) drawn by each, the median of 10 renders after a first one that includes the import.

    .venv/bin/python -m bench.pdf_libraries            # whichever of the two is installed
    pip install fpdf2==2.8.9                           # to measure fpdf2 too (not a dependency)

Prints figures; the choice and the install sizes are in the README ("Schedule").
"""
import importlib.util
import io
import random
import statistics
import time

COLORS = {"white": (255, 255, 255), "yellow": (255, 240, 120), "blue": (140, 180, 255), "green": (140, 215, 140)}
_random = random.Random(1)
DAYS = [[(n, _random.choice(list(COLORS)), f"INT. LOCATION {n % 17} - NIGHT", "1, 2, 5", "2 3/8")
         for n in range(d * 200 // 60 + 1, (d + 1) * 200 // 60 + 1)] for d in range(60)]


def with_fpdf2():
    from fpdf import FPDF
    pdf = FPDF(format="letter")
    pdf.set_auto_page_break(True, 15)
    pdf.add_page()
    pdf.set_font("Helvetica", size=9)
    for number, strips in enumerate(DAYS, 1):
        for scene, colour, heading, cast, pages in strips:
            pdf.set_fill_color(*COLORS[colour])
            pdf.cell(15, 6, str(scene), border=1, fill=True)
            pdf.cell(110, 6, heading, border=1, fill=True)
            pdf.cell(30, 6, cast, border=1, fill=True)
            pdf.cell(0, 6, pages, border=1, fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_fill_color(0, 0, 0)
        pdf.set_text_color(255, 255, 255)
        pdf.cell(0, 6, f"END OF DAY {number} - 5 pages", fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


def with_reportlab():
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=letter)
    y = 760

    def row(cells, fill, ink=(0, 0, 0)):
        nonlocal y
        if y < 40:
            page.showPage()
            y = 760
        x = 36
        for width, text in cells:
            page.setFillColorRGB(*[v / 255 for v in fill])
            page.rect(x, y, width, 17, fill=1, stroke=1)
            page.setFillColorRGB(*[v / 255 for v in ink])
            page.setFont("Helvetica", 9)
            page.drawString(x + 2, y + 5, text)
            x += width
        y -= 17

    for number, strips in enumerate(DAYS, 1):
        for scene, colour, heading, cast, pages in strips:
            row([(43, str(scene)), (312, heading), (85, cast), (100, pages)], COLORS[colour])
        row([(540, f"END OF DAY {number} - 5 pages")], (0, 0, 0), (255, 255, 255))
    page.save()
    return out.getvalue()


def measure(render):
    start = time.perf_counter()
    render()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(10):
        start = time.perf_counter()
        data = render()
        times.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(times), len(data)


def main():
    print(f"{'library':<10} {'first ms (with import)':>22} {'median ms':>10} {'bytes':>8}")
    for name, module, render in (("fpdf2", "fpdf", with_fpdf2), ("reportlab", "reportlab", with_reportlab)):
        if importlib.util.find_spec(module) is None:
            print(f"{name:<10} not installed")
            continue
        first, median, size = measure(render)
        print(f"{name:<10} {first:>22.0f} {median:>10.1f} {size:>8,}")


if __name__ == "__main__":
    main()
