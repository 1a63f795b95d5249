"""Matplotlib figures, returned as ``Figure`` objects (no pyplot global state) that show
themselves as images in JupyterLab."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure

__all__ = ["DisplayedFigure", "actor_sentiment_figure", "actor_time_figure", "group_comparison_figure", "data_limits"]


class DisplayedFigure(Figure):
    """A Figure that displays as a PNG in a notebook with or without ``%matplotlib inline``
    (a bare Figure made without pyplot displays as ``<Figure size 700x480 …>`` text)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
        return buffer.getvalue()


def actor_sentiment_figure(
    actors: pd.DataFrame, *, top: int = 15, title: str = "How each actor is portrayed"
) -> Figure:
    """Mean polarity per actor with its bootstrap interval, for the ``top`` most mentioned.

    Args:
        actors: The per-actor table (``Analysis.actors``).
        top: How many actors to show, by number of mentions.
        title: Axes title.
    """
    shown = actors.head(top).iloc[::-1]  # most mentioned at the top
    fig, ax = _figure(7, 0.45 * max(len(shown), 1) + 1.2, "no actor mentioned" if shown.empty else "")
    if shown.empty:
        return fig
    y = np.arange(len(shown))
    score = shown["score"].to_numpy(dtype=float)
    low, high = shown["ci_low"].to_numpy(dtype=float), shown["ci_high"].to_numpy(dtype=float)
    err = np.vstack([score - low, high - score])
    # Colour by strength on one scale for every chart (−0.09 is pale, −0.60 deep), with its legend.
    norm = Normalize(vmin=-STRENGTH_SCALE, vmax=STRENGTH_SCALE)
    colours = colormaps["RdYlGn"](norm(np.clip(score, -STRENGTH_SCALE, STRENGTH_SCALE)))
    ax.axvline(0, color="#555555", linewidth=1)
    too_few = shown["ci_low"].isna().to_numpy()
    has = ~too_few
    ax.errorbar(score[has], y[has], xerr=np.clip(err[:, has], 0, None), fmt="none", ecolor="#777777", capsize=3,
                linewidth=1)
    ax.scatter(score, y, c=colours, edgecolors="#333333", linewidths=0.5, s=45, zorder=3)
    ax.set_yticks(y, [f"{short_label(a)} (n={n}{', too few for an interval' if few else ''})"
                      for a, n, few in zip(shown["actor"], shown["mentions"], too_few)])
    ax.set_xlim(*data_limits(np.concatenate([score, low[~np.isnan(low)], high[~np.isnan(high)]])))
    ax.set_xlabel("mean polarity (bars: 95% interval)")
    ax.set_title(title)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colormaps["RdYlGn"]), ax=ax, shrink=0.8, pad=0.02)
    bar.set_label(f"strength (clipped at ±{STRENGTH_SCALE:g})")
    return fig


def short_label(name: str, limit: int = 40) -> str:
    """An axis label of at most ``limit`` characters ("François-Xavier Bagnoud Center for
    Health and Human Rights" would squeeze the axes to nothing); the tables keep the whole name."""
    return name if len(name) <= limit else name[:limit - 1].rstrip() + "…"


def _figure(width: float, height: float, empty: str = ""):
    """A figure and its axes; with ``empty``, the axes only say that, centred."""
    fig = DisplayedFigure(figsize=(width, height), layout="constrained")
    ax = fig.add_subplot()
    if empty:
        ax.text(0.5, 0.5, empty, ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    return fig, ax


#: Mean polarity at which a point's colour is fully red or green (corpus means are small).
STRENGTH_SCALE = 0.5


def data_limits(values: np.ndarray, *, pad: float = 0.1) -> tuple[float, float]:
    """Axis limits around ``values`` that always include 0 (marked on the charts), within −1…+1."""
    lo, hi = min(float(np.min(values)), 0.0), max(float(np.max(values)), 0.0)
    span = max(hi - lo, 0.1)
    return max(-1.0, lo - pad * span), min(1.0, hi + pad * span)


def actor_time_figure(actor_time: pd.DataFrame, actors: list[str]) -> Figure:
    """Mean polarity per month for ``actors`` (from ``CorpusAnalysis.actor_time``)."""
    rows = actor_time[actor_time["root"].isin(actors)]
    fig, ax = _figure(8, 3.5, "no dated articles" if rows.empty else "")
    if rows.empty:
        return fig
    months = sorted(rows["month"].unique())
    position = {m: i for i, m in enumerate(months)}
    for actor in actors:
        part = rows[rows["root"] == actor]
        if not part.empty:
            ax.plot([position[m] for m in part["month"]], part["score"], marker="o", label=short_label(actor))
    ax.axhline(0, color="#999999", linewidth=0.8)
    ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
    ax.set_ylim(-1, 1)
    ax.set_ylabel("mean polarity")
    ax.set_title("Actors over time")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    return fig


def group_comparison_figure(
    comparison: pd.DataFrame, *, title: str = "How each source portrays the main actors"
) -> Figure:
    """Per actor (rows) one point per group (source) with its interval, groups told apart
    by colour and marker, with a legend (``CorpusAnalysis.comparison``)."""
    actors = list(dict.fromkeys(comparison["actor"]))[::-1]
    groups = sorted(set(comparison["group"]))
    fig, ax = _figure(7, 0.5 * max(len(actors), 1) + 1.4, "fewer than two groups" if comparison.empty else "")
    if comparison.empty:
        return fig
    row = {a: i for i, a in enumerate(actors)}
    offsets = np.linspace(-0.25, 0.25, len(groups)) if len(groups) > 1 else np.zeros(1)
    markers = "osD^v<>"
    for k, group in enumerate(groups):
        part = comparison[comparison["group"] == group]
        y = np.array([row[a] for a in part["actor"]]) + offsets[k]
        score = part["score"].to_numpy(float)
        low, high = part["ci_low"].to_numpy(float), part["ci_high"].to_numpy(float)
        has = ~np.isnan(low)
        ax.errorbar(score[has], y[has], xerr=np.clip(np.vstack([score - low, high - score])[:, has], 0, None),
                    fmt="none", ecolor=f"C{k}", alpha=0.6, capsize=2, linewidth=1)
        ax.scatter(score, y, color=f"C{k}", marker=markers[k % len(markers)], zorder=3, label=short_label(f"{group}"))
    values = comparison[["score", "ci_low", "ci_high"]].to_numpy(float).ravel()
    ax.set_xlim(*data_limits(values[~np.isnan(values)]))
    ax.axvline(0, color="#555555", linewidth=1)
    ax.set_yticks(range(len(actors)), [short_label(a) for a in actors])
    ax.set_xlabel("mean polarity (bars: 95% interval over each source's articles)")
    ax.set_title(title)
    ax.legend(title="source", fontsize="small", frameon=False, loc="best")
    return fig
