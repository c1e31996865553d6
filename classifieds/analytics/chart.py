"""A line chart as plain numbers for a server-rendered SVG (no JavaScript): scaled points and axis ticks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 40, 10, 10, 30


@dataclass(frozen=True)
class Line:
    kind: str
    label: str
    points: str  # "x,y x,y …" for <polyline points>
    total: int
    css: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    lines: list[Line]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ not below ``value`` (a readable top for the y axis)."""
    if value <= 1:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def line_chart(days: list[date], series: dict[str, list[int]], labels: dict[str, str]) -> Chart:
    """Scale each series into the plot area: day i at x, count at y (0 at the bottom)."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = nice_ceiling(max((max(values, default=0) for values in series.values()), default=0))
    step_x = plot_w / max(len(days) - 1, 1)

    def x(i: int) -> float:
        return round(LEFT + i * step_x, 1)

    def y(n: int) -> float:
        return round(TOP + plot_h - n / top * plot_h, 1)

    lines = [
        Line(
            kind=kind,
            label=labels.get(kind, kind),
            points=" ".join(f"{x(i)},{y(n)}" for i, n in enumerate(values)),
            total=sum(values),
            css=f"chart-line--{kind.replace('_', '-')}",
        )
        for kind, values in series.items()
    ]
    y_ticks = (
        [Tick(y(top * k // 4), str(top * k // 4)) for k in range(5)]
        if top >= 4
        else [Tick(y(0), "0"), Tick(y(top), str(top))]
    )
    x_ticks = [Tick(x(i), day.strftime("%d.%m")) for i, day in enumerate(days) if i % 7 == 0 or i == len(days) - 1]
    return Chart(WIDTH, HEIGHT, lines, y_ticks, x_ticks, LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM)
