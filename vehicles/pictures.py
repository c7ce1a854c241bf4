"""Car pictures for the catalog: the one an operator uploaded, else a simple side-view illustration drawn for the
model's body type in a colour of its own. No catalog card ever shows a letter placeholder."""

from django.core.files.base import ContentFile

from vehicles.enums import BodyType

# Side views on a 320×160 canvas: the body's outline, then its windows. Wheels sit at x=82 and x=238.
_SHAPES = {
    BodyType.SEDAN: (
        "M20 118V96q2-12 20-14l56-4 34-26q8-6 20-6h64q14 0 24 8l30 24 22 4q14 3 14 16v20z",
        ["M106 78l28-22h44v22z", "M186 56h26q10 0 18 6l22 16h-66z"],
    ),
    BodyType.SUV: (
        "M18 120V88q2-12 18-14l34-2 26-32q6-6 16-6h138q12 0 18 10l18 28q16 4 18 18v30z",
        ["M82 72l22-30h64v30z", "M176 42h74q8 0 12 8l14 22h-100z"],
    ),
    BodyType.HATCHBACK: (
        "M24 118V94q2-12 18-14l46-4 34-28q8-6 20-6h92q14 0 20 12l20 26q16 4 16 18v20z",
        ["M98 76l28-24h50v24z", "M184 52h48q8 0 12 8l12 16h-72z"],
    ),
    BodyType.MPV: (
        "M16 120V80q2-10 16-12l32-2 34-34q6-4 16-4h166q14 0 18 14l6 28v50z",
        ["M76 66l28-30h56v30z", "M168 36h56v30h-56z", "M232 36h54q6 0 8 8l4 22h-66z"],
    ),
}
_COLOURS = ["#2f6fb5", "#c0392b", "#2e8b57", "#e0e4ea", "#34495e", "#d68910", "#7d3c98"]


def draw_car(*, body_type: str, colour_index: int) -> str:
    """An SVG side view of a car of ``body_type`` (a sedan when unknown)."""
    body, windows = _SHAPES.get(body_type, _SHAPES[BodyType.SEDAN])
    colour = _COLOURS[colour_index % len(_COLOURS)]
    glass = "".join(f'<path d="{window}" fill="#cfe3f5" stroke="#9db8d3" stroke-width="1.5"/>' for window in windows)
    wheels = "".join(
        f'<circle cx="{x}" cy="120" r="21" fill="#1d2733"/><circle cx="{x}" cy="120" r="9" fill="#b8c2cc"/>'
        for x in (82, 238)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 320 160" role="img">'
        '<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#eef5fd"/><stop offset="1" stop-color="#f8fafc"/></linearGradient></defs>'
        '<rect width="320" height="160" fill="url(#sky)"/>'
        '<ellipse cx="160" cy="142" rx="150" ry="7" fill="#1d2733" opacity="0.12"/>'
        f'<path d="{body}" fill="{colour}" stroke="#1d2733" stroke-opacity="0.25" stroke-width="1.5"/>'
        f"{glass}"
        '<rect x="290" y="98" width="12" height="6" rx="2" fill="#e74c3c"/>'
        '<rect x="18" y="96" width="12" height="6" rx="2" fill="#ffd166"/>'
        f"{wheels}</svg>"
    )


def ensure_drawn_picture(car_model) -> None:
    """Store the drawn illustration as the model's picture when it has none (the demo catalog's pictures)."""
    if car_model.picture:
        return
    svg = draw_car(body_type=car_model.body_type, colour_index=car_model.pk)
    car_model.picture.save(f"car-model-{car_model.pk}.svg", ContentFile(svg.encode()), save=True)
