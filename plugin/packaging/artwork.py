"""The app packages' artwork (logos, marketplace screenshots), drawn with Pillow.

The PNGs under manifest/zendesk/assets/ are committed; run
`python -m plugin.packaging.artwork` to draw them again. Zendesk's sizes:
https://developer.zendesk.com/documentation/marketplace/building-a-marketplace-app/create-app-brand-assets/
(logo.png 320x320, logo-small.png 128x128, screenshots 1024x768, PNG, no rounded corners).
The UI's screenshots under docs/img/ (sidebar.png, sidebar-approval.png, dashboard.png,
taken by `python -m tests.e2e.hosts.screenshots`) are framed into them when present.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[2]
INK = (17, 51, 84)
ACCENT = (22, 163, 74)
PAPER = (255, 255, 255)
MUTED = (100, 116, 139)
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

SCREENSHOTS = (
    ("payment_found_unapplied", "Payment found, not applied", "pi_3Px...  EUR 299.99  card"),
    ("not_found", "Payment not found yet", "Temporary credit EUR 299.99 proposed"),
    ("partial", "Partial payment", "Received EUR 150.00, remaining EUR 149.99"),
)


def _font(size: int, bold: bool = False) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(FONT_BOLD if bold else FONT, size)
    except OSError:  # a machine without DejaVu: Pillow's own font keeps the drawing legible
        return ImageFont.load_default(size)


def draw_logo(size: int) -> Image.Image:
    """An invoice with a check mark, square, full bleed (Zendesk rounds the corners itself)."""
    image = Image.new("RGBA", (size, size), INK + (255,))
    draw = ImageDraw.Draw(image)
    unit = size / 32
    draw.rectangle([8 * unit, 5 * unit, 24 * unit, 27 * unit], fill=PAPER)
    for row in (9, 12, 15):
        draw.rectangle([11 * unit, row * unit, 21 * unit, (row + 1) * unit], fill=MUTED)
    draw.ellipse([15 * unit, 16 * unit, 27 * unit, 28 * unit], fill=ACCENT)
    draw.line(
        [(18 * unit, 22 * unit), (20.5 * unit, 24.5 * unit), (24.5 * unit, 19.5 * unit)],
        fill=PAPER,
        width=max(2, round(1.4 * unit)),
        joint="curve",
    )
    return image


def draw_screenshot(verdict: str, title: str, evidence: str) -> Image.Image:
    """A 1024x768 picture of the ticket sidebar showing one verdict."""
    image = Image.new("RGB", (1024, 768), (241, 245, 249))
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 1024, 64], fill=INK)
    draw.text((32, 18), "payverify - ticket #4821", font=_font(24, True), fill=PAPER)
    draw.rectangle([600, 96, 992, 720], fill=PAPER, outline=(203, 213, 225))
    draw.text((624, 120), "Payment verification", font=_font(22, True), fill=INK)
    draw.rectangle([624, 168, 968, 216], fill=ACCENT)
    draw.text((640, 180), title, font=_font(18, True), fill=PAPER)
    lines = [f"verdict: {verdict}", evidence, "Invoice FAC-2024-001234", "Reply drafted (es)"]
    for index, line in enumerate(lines):
        draw.text((624, 240 + index * 40), line, font=_font(17), fill=INK)
    for index, label in enumerate(("Post reply", "Apply credit", "Escalate")):
        top = 420 + index * 64
        draw.rectangle([624, top, 968, top + 48], outline=INK, width=2)
        draw.text((640, top + 12), label, font=_font(18), fill=INK)
    draw.rectangle([32, 96, 568, 720], fill=PAPER, outline=(203, 213, 225))
    draw.text((56, 120), "Pagué la factura pero sigue pendiente", font=_font(20, True), fill=INK)
    draw.text((56, 168), "Hola, pagué FAC-2024-001234 hace 2 días...", font=_font(17), fill=MUTED)
    return image


# The UI's own screenshots (tests/e2e/hosts/screenshots.py), framed for the marketplace:
# file, title, two lines of text, and what to show: the top or bottom of a tall sidebar
# capture, or the top of a wide page.
UI_SCREENSHOTS = (
    ("sidebar.png", "Verified in the ticket",
     ("The payment found, the invoice it pays,", "the credit and the reply in Spanish."), "top"),
    ("sidebar-approval.png", "Credits above the cap need an approver",
     ("The agent names the approver; the credit", "is applied once, and recorded."), "bottom"),
    ("dashboard.png", "Payment verification KPIs",
     ("Auto-resolution, escalation, response times,", "CSAT and credits by scenario."), "wide"),
)  # fmt: skip


def frame_screenshot(
    shot: Image.Image, title: str, lines: tuple[str, ...], end: str
) -> Image.Image:
    """A 1024x768 marketplace picture of a UI capture: never stretched, cropped at one end."""
    image = Image.new("RGB", (1024, 768), (241, 245, 249))
    draw = ImageDraw.Draw(image)
    shot = shot.convert("RGB")
    if end == "wide":  # a page: its title bar, then the page at full width from the top
        scaled = shot.resize((944, round(shot.height * 944 / shot.width)), Image.LANCZOS)
        draw.rectangle([0, 0, 1024, 72], fill=INK)
        draw.text((40, 22), title, font=_font(26, True), fill=PAPER)
        image.paste(scaled.crop((0, 0, 944, min(656, scaled.height))), (40, 96))
        return image
    width = 380
    scaled = shot.resize((width, round(shot.height * width / shot.width)), Image.LANCZOS)
    top = 0 if end == "top" else max(0, scaled.height - 704)
    draw.rectangle([584, 24, 584 + width + 16, 744], fill=PAPER, outline=(203, 213, 225))
    image.paste(scaled.crop((0, top, width, min(top + 704, scaled.height))), (592, 32))
    image.paste(draw_logo(96).convert("RGB"), (56, 72))
    title_lines = _wrap(draw, title, _font(30, True), 480)
    for index, line in enumerate(title_lines):
        draw.text((56, 200 + index * 40), line, font=_font(30, True), fill=INK)
    for index, line in enumerate(lines):
        draw.text((56, 220 + 40 * len(title_lines) + index * 34), line, font=_font(20), fill=MUTED)
    return image


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: object, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:  # type: ignore[arg-type]
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def write_assets(assets: Path) -> list[Path]:
    """Draw every Zendesk asset into `assets` and return the files written."""
    assets.mkdir(parents=True, exist_ok=True)
    written = []
    for name, size in (("logo.png", 320), ("logo-small.png", 128)):
        draw_logo(size).save(assets / name, optimize=True)
        written.append(assets / name)
    for index, (verdict, title, evidence) in enumerate(SCREENSHOTS):
        target = assets / f"screenshot-{index}.png"
        file, ui_title, lines, end = UI_SCREENSHOTS[index]
        capture = ROOT / "docs" / "img" / file
        if capture.exists():
            frame_screenshot(Image.open(capture), ui_title, lines, end).save(target, optimize=True)
        else:  # a checkout without the UI's captures still gets a legible picture
            draw_screenshot(verdict, title, evidence).save(target, optimize=True)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in write_assets(ROOT / "manifest" / "zendesk" / "assets"):
        print(path.relative_to(ROOT))
