"""Exchange uncertainty: distributions, pedigree scores, seeded vectorised sampling.

- Lognormal: x = μ_g · exp(σ·z), z ~ N(0, 1), with σ = ln(gsd); the geometric mean μ_g is the
  exchange amount (ecoinvent convention, Weidema et al. 2013 §10.2).
- Pedigree: five scores 1–5 (reliability, completeness, temporal, geographical, further
  technological correlation) each add a variance to ln(x):
  σ² = σ_b² + Σ σ_i² (Weidema et al. 2013 Eq. 10.1; Ciroth et al. 2016). The variances are the
  ``to_confirm`` table of ``data/footprint/pedigree_ecoinvent3.csv``. An exchange with scores
  and no distribution is lognormal with σ_b = 0.
- Normal (mean = amount, sd), triangular (minimum, mode, maximum), uniform (minimum, maximum).

All draws come from one ``numpy.random.Generator`` seeded by the caller: the same seed gives
the same draws. Sampling is vectorised: one call per distribution kind for all exchanges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nearzero.footprint.model import Exchange, FootprintError, Uncertainty

Array = npt.NDArray[np.float64]

KINDS = ("fixed", "lognormal", "normal", "triangular", "uniform")


@dataclass(frozen=True)
class Distributions:
    """Parameters of m exchange distributions as arrays [m]; ``kind`` indexes :data:`KINDS`.

    lognormal: p1 = μ_g, p2 = σ (of ln x); normal: p1 = mean, p2 = sd; triangular and
    uniform: p1 = minimum, p2 = mode (triangular), p3 = maximum.
    """

    kind: npt.NDArray[np.int64]
    p1: Array
    p2: Array
    p3: Array


def pedigree_sigma2(scores: Sequence[int], table: Array) -> float:
    """Σ σ_i² of a pedigree score tuple (Weidema et al. 2013 Eq. 10.1). [-]

    Parameters
    ----------
    scores : sequence of int
        Five scores 1–5.
    table : array [5 × 5]
        Variance of ln(x) by indicator and score.
    """
    if len(scores) != 5 or any(not 1 <= s <= 5 for s in scores):
        raise FootprintError(
            f"pedigree {tuple(scores)}: 谱系矩阵需五项1至5的评分 — "
            f"five scores from 1 to 5 are needed"
        )
    return float(sum(table[i, s - 1] for i, s in enumerate(scores)))


def describe(
    amount: float, unc: Uncertainty | None, sigma2: float, where: str
) -> tuple[int, float, float, float]:
    """The (kind, p1, p2, p3) of one exchange; ``sigma2`` is its pedigree variance."""
    if unc is None:
        if sigma2 > 0:
            return KINDS.index("lognormal"), amount, float(np.sqrt(sigma2)), 0.0
        return 0, amount, 0.0, 0.0
    kind = unc.distribution
    if kind == "lognormal":
        if unc.gsd is None or unc.gsd < 1:
            raise FootprintError(
                f"{where}: 对数正态分布需几何标准差gsd ≥ 1 — "
                f"a lognormal needs gsd ≥ 1 (geometric sd)"
            )
        sigma = float(np.sqrt(np.log(unc.gsd) ** 2 + sigma2))
        return KINDS.index("lognormal"), amount, sigma, 0.0
    if sigma2 > 0:
        raise FootprintError(
            f"{where}: 谱系评分只能用于加宽对数正态分布，不能用于{kind}分布 — "
            f"pedigree scores widen a lognormal only, not a {kind}"
        )
    if kind == "normal":
        if unc.sd is None or unc.sd < 0:
            raise FootprintError(f"{where}: 正态分布需标准差sd ≥ 0 — a normal needs sd ≥ 0")
        return KINDS.index("normal"), amount, unc.sd, 0.0
    if kind in ("triangular", "uniform"):
        low, high = unc.minimum, unc.maximum
        mode = amount if unc.mode is None else unc.mode
        if low is None or high is None or not low <= mode <= high and kind == "triangular":
            raise FootprintError(
                f"{where}: {kind}分布需满足最小值 ≤ 众数 ≤ 最大值 — "
                f"a {kind} needs minimum ≤ mode ≤ maximum"
            )
        if low > high:
            raise FootprintError(
                f"{where}: 最小值{low}大于最大值{high} — minimum {low} > maximum {high}"
            )
        return KINDS.index(kind), low, mode, high
    raise FootprintError(f"{where}: 未知的分布类型“{kind}” — unknown distribution {kind!r}")


def distributions(
    amounts: Sequence[float],
    exchanges: Sequence[Exchange | None],
    labels: Sequence[str],
    table: Array,
) -> Distributions:
    """The distributions of all exchanges (``None`` for a fixed line such as a factor's)."""
    rows = []
    for amount, ex, where in zip(amounts, exchanges, labels, strict=True):
        if ex is None:
            rows.append((0, amount, 0.0, 0.0))
            continue
        sigma2 = pedigree_sigma2(ex.pedigree, table) if ex.pedigree else 0.0
        rows.append(describe(amount, ex.uncertainty, sigma2, where))
    arr = np.asarray(rows, dtype=float).reshape(-1, 4)
    return Distributions(arr[:, 0].astype(np.int64), arr[:, 1], arr[:, 2], arr[:, 3])


def sample(dist: Distributions, draws: int, rng: np.random.Generator) -> Array:
    """Draws [m × draws] of every exchange; fixed exchanges repeat their amount."""
    m = len(dist.kind)
    out = np.empty((m, draws))
    for code, kind in enumerate(KINDS):
        idx = np.flatnonzero(dist.kind == code)
        if not idx.size:
            continue
        size = (idx.size, draws)
        p1, p2, p3 = dist.p1[idx, None], dist.p2[idx, None], dist.p3[idx, None]
        if kind == "fixed":
            out[idx] = p1
        elif kind == "lognormal":
            z = rng.standard_normal(size)
            z *= p2
            np.exp(z, out=z)
            z *= p1
            out[idx] = z
        elif kind == "normal":
            out[idx] = p1 + p2 * rng.standard_normal(size)
        elif kind == "triangular":
            u = rng.random(size)
            width = p3 - p1
            cut = np.divide(p2 - p1, width, out=np.zeros_like(width), where=width > 0)
            left = p1 + np.sqrt(u * width * (p2 - p1))
            right = p3 - np.sqrt((1 - u) * width * (p3 - p2))
            out[idx] = np.where(u < cut, left, right)
        else:
            out[idx] = p1 + (p3 - p1) * rng.random(size)
    assert out.shape == (m, draws)
    return out


@dataclass(frozen=True)
class Summary:
    """Monte Carlo summary of the footprint. [kgCO2e]"""

    draws: int
    seed: int
    mean: float
    sd: float
    p2_5: float
    median: float
    p97_5: float


def summarise(values: Array, seed: int) -> Summary:
    """Mean, standard deviation and the 2.5 / 50 / 97.5 percentiles of the draws."""
    p = np.percentile(values, [2.5, 50.0, 97.5])
    return Summary(
        int(values.size),
        seed,
        float(values.mean()),
        float(values.std(ddof=1)) if values.size > 1 else 0.0,
        float(p[0]),
        float(p[1]),
        float(p[2]),
    )
