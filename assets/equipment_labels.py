"""QR labels for equipment items (segno): an SVG label with the code, the asset tag and the type, or the
bare code as PNG. The QR encodes the asset tag, which the register looks up (?asset_tag=)."""

import io
from xml.sax.saxutils import escape

import segno


def qr_for(item) -> segno.QRCode:
    return segno.make(item.asset_tag, error="m", micro=False)


def label_svg(item) -> bytes:
    """A 60 × 30 mm label: the QR code on the left, asset tag, type and station on the right."""
    qr = qr_for(item)
    buf = io.BytesIO()
    qr.save(buf, kind="svg", scale=1, border=2, xmldecl=False, svgns=True, nl=False, omitsize=True)
    inner = buf.getvalue().decode()
    # Nest segno's <svg> (it carries its own viewBox) at 26 mm square.
    inner = inner.replace("<svg ", '<svg x="2" y="2" width="26" height="26" ', 1)
    text = [
        (f"{escape(item.asset_tag)}", 10, 3.2, "bold"),
        (escape(item.equipment_type.name), 16, 3.0, "normal"),
        (escape(item.station.name[:14]), 21.5, 2.4, "normal"),
        (escape(f"SN {item.serial_number}" if item.serial_number else ""), 26, 2.2, "normal"),
    ]
    lines = "".join(
        f'<text x="30" y="{y}" font-size="{size}" font-weight="{weight}">{t}</text>'
        for t, y, size, weight in text
        if t
    )
    svg = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<svg xmlns="http://www.w3.org/2000/svg" width="60mm" height="30mm" viewBox="0 0 60 30">'
        '<rect width="60" height="30" fill="#fff" stroke="#000" stroke-width="0.3"/>'
        f'{inner}<g font-family="Noto Sans CJK SC, sans-serif" fill="#000">{lines}</g></svg>'
    )
    return svg.encode()


def label_png(item, scale: int = 8) -> bytes:
    buf = io.BytesIO()
    qr_for(item).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()
