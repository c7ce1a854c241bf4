"""The member dashboard is a shell: apps above members add their panels here from their AppConfig.ready(), so the
dashboard can show applications, points and messages without members importing those apps.

What matters to a member changes with where they are: before applying, the checklist that gets them ready; while
an application runs, its next step; once they drive the car, the car, the next bill and the next service. The
orders app, which knows, says which stage a member is at (``register_stage_resolver``); each panel says at which
stages it shows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class Stage(StrEnum):
    GETTING_STARTED = "getting_started"  # no application yet (or only closed ones)
    APPLYING = "applying"  # an application is under way
    OWNER = "owner"  # drives a car bought here


ALL_STAGES = frozenset(Stage)


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict


@dataclass(frozen=True)
class _Registration:
    name: str
    position: int
    build: Callable[..., Panel | None]
    stages: frozenset = field(default=ALL_STAGES)


_registry: dict[str, _Registration] = {}
_stage_resolvers: list[Callable[..., Stage | None]] = []


def register_panel(
    *, name: str, position: int, build: Callable[..., Panel | None], stages: frozenset = ALL_STAGES
) -> None:
    """``build(request=..., member=...)`` returns the panel, or None to show nothing; it is called only at the
    member's ``stages``."""
    _registry[name] = _Registration(name=name, position=position, build=build, stages=frozenset(stages))


def register_stage_resolver(resolve: Callable[..., Stage | None]) -> None:
    """``resolve(member=...)`` returns the member's stage, or None when it cannot tell."""
    if resolve not in _stage_resolvers:
        _stage_resolvers.append(resolve)


def resolve_stage(*, member) -> Stage:
    for resolve in _stage_resolvers:
        stage = resolve(member=member)
        if stage is not None:
            return stage
    return Stage.GETTING_STARTED


def build_panels(*, request, member, stage: Stage = Stage.GETTING_STARTED) -> list[Panel]:
    panels = []
    for registration in sorted(_registry.values(), key=lambda item: item.position):
        if stage not in registration.stages:
            continue
        panel = registration.build(request=request, member=member)
        if panel is not None:
            panels.append(panel)
    return panels
