"""Demo steps: each app adds its own part of the demo city's history.

`sunflower demo` builds the organisation and accounts (orgs/demo.py) and then runs every
registered step in order, in the same transaction. A step registers itself from its app's
`ready()`, so that orgs needs to know nothing about assessments, care or training. Steps are
deterministic for a seed and place their history relative to `now`, so that a demo built
today has "a year of history" ending today.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class DemoContext:
    seed: int
    now: datetime
    say: Callable[[str], None]


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int  # lower runs first; a step may read what an earlier one wrote
    run: Callable[[DemoContext], None]
    # Removes what run() wrote, before `sunflower demo --reset` empties the roster (which the
    # step's rows may protect); steps are reset in reverse order.
    reset: Callable[[], None] | None = None


_STEPS: dict[str, DemoStep] = {}


def register_demo_step(step: DemoStep) -> None:
    _STEPS[step.name] = step


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def reset_demo_steps() -> None:
    for step in reversed(demo_steps()):
        if step.reset is not None:
            step.reset()
