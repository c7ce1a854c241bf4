"""The member dashboard is a shell: apps above members add their panels here from their AppConfig.ready(), so the
dashboard can show applications, points and messages without members importing those apps."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict


@dataclass(frozen=True)
class _Registration:
    name: str
    position: int
    build: Callable[..., Panel | None]


_registry: dict[str, _Registration] = {}


def register_panel(*, name: str, position: int, build: Callable[..., Panel | None]) -> None:
    """``build(request=..., member=...)`` returns the panel, or None to show nothing."""
    _registry[name] = _Registration(name=name, position=position, build=build)


def build_panels(*, request, member) -> list[Panel]:
    panels = []
    for registration in sorted(_registry.values(), key=lambda item: item.position):
        panel = registration.build(request=request, member=member)
        if panel is not None:
            panels.append(panel)
    return panels
