from pathlib import Path

from django.conf import settings

from orders.diagram import DIAGRAM_PATH, render_state_diagram


def test_committed_state_diagram_matches_the_code():
    committed = (Path(settings.BASE_DIR) / DIAGRAM_PATH).read_text(encoding="utf-8")
    assert committed == render_state_diagram(), "Run `python manage.py write_state_diagram` and commit the result."


def test_diagram_shows_every_state_and_the_main_road():
    diagram = render_state_diagram()
    assert "draft --> submitted: submit" in diagram
    assert "ready_for_pickup --> delivered: hand_over" in diagram
    assert "approved --> replaced: change_model" in diagram
    for state in ("rejected", "delivered", "terminated", "replaced"):
        assert f"{state} --> [*]" in diagram
