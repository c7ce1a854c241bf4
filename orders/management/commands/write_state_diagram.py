from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from orders.diagram import DIAGRAM_PATH, render_state_diagram


class Command(BaseCommand):
    help = f"Write the application state diagram to {DIAGRAM_PATH} from the state machine in the code."

    def handle(self, *args, **options):
        path = Path(settings.BASE_DIR) / DIAGRAM_PATH
        path.write_text(render_state_diagram(), encoding="utf-8")
        self.stdout.write(f"Wrote {path}")
