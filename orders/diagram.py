"""The state diagram of the application, generated from the transitions in the code (Mermaid, rendered by GitHub)."""

from django.utils import translation

from orders.enums import TERMINAL_STATES, OrderState
from orders.models import Order
from orders.state_machine import TRANSITION_ACTORS

DIAGRAM_PATH = "docs/state-diagram.md"


def render_state_diagram() -> str:
    with translation.override("en"):
        edges = {}
        for transition in Order._meta.get_field("state").get_all_transitions(Order):
            if transition.name in {"terminate", "cancel"}:
                continue
            names = edges.setdefault((transition.source, transition.target), [])
            if transition.name not in names:
                names.append(transition.name)
        lines = [
            "# The application state machine",
            "",
            "Generated from `orders/state_machine.py` by `python manage.py write_state_diagram`;",
            "`tests/orders/test_state_diagram.py` fails when this file and the code disagree.",
            "",
            "```mermaid",
            "stateDiagram-v2",
            "    [*] --> draft: create",
        ]
        for (source, target), names in sorted(edges.items(), key=lambda item: _position(item[0])):
            lines.append(f"    {source} --> {target}: {' / '.join(names)}")
        for state in TERMINAL_STATES:
            lines.append(f"    {state.value} --> [*]")
        lines += [
            "```",
            "",
            "Besides the arrows above, every state that is not final can be ended: `terminate` (staff, with a reason)",
            "from any of them, and `cancel` (the member, with a reason) until the contract is signed.",
            "",
            "`submit` gives the application to the member's preferred store or a store in their city; with neither it",
            "stays `submitted` without a store until the call center assigns one (not a step: the state does not",
            "change), and `start_collecting` waits for that. From `collecting_materials` on, an application always has",
            "a store. A member has one application that is not final at a time.",
            "",
            "| step | who may take it |",
            "|---|---|",
        ]
        for name, actors in TRANSITION_ACTORS.items():
            lines.append(f"| `{name}` | {', '.join(sorted(str(actor) for actor in actors))} |")
        lines += ["", "Store staff and store managers act only on their own store's applications.", ""]
        lines += ["| state | label |", "|---|---|"]
        lines += [f"| `{state.value}` | {state.label} |" for state in OrderState]
    return "\n".join(lines) + "\n"


def _position(edge):
    order = list(OrderState.values)
    return (order.index(edge[0]), order.index(edge[1]))
