"""The matrix-LCA solver: arrays in, arrays out; one factorisation reused.

- Supply (scaling) vector s solves A·s = f; the inventory is g = B·s and the footprint
  h = c·g (Heijungs & Suh 2002, Eqs. 2.5–2.8).
- Intensities (footprint per unit of each product) y solve Aᵀ·y = (c·B)ᵀ; they give the
  contribution of each input without solving once per input.
- A is factorised once (SuperLU), in block-triangular order (:func:`supply_order`): Aᵀ of a
  supply chain ordered customer-before-supplier is block upper-triangular, so the factors fill
  in only within loops. (bw2calc's ``lu_solver`` factorises Aᵀ with a general ordering.)
- Monte Carlo: draws share A's sparsity pattern, so each batch of draws is solved together by
  the iteration sₖ₊₁ = sₖ + A₀⁻¹(f − Aᵢ·sₖ), preconditioned by the nominal factorisation A₀
  (a stationary iterative refinement, Saad 2003 §4.1). Each step is one sparse product per
  draw and one multi-right-hand-side triangular solve for the whole batch. A draw that has not
  converged to ``tol`` after ``max_iter`` steps is solved directly with its own
  factorisation, so every draw is exact to the tolerance whatever the spread.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import splu

Array = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class SingularMatrix(ArithmeticError):
    """A is singular: no unique supply vector exists."""


def supply_order(a: sp.spmatrix) -> IntArray:
    """A symmetric permutation that puts A in block-triangular form. [index array]

    Supply chains are nearly acyclic: ordering every process before its suppliers (a
    topological order of the strongly connected components of the supply graph, Kahn 1962;
    Tarjan 1972) makes PAPᵀ block lower-triangular, so Aᵀ is factorised with fill only
    inside the loops (Duff & Reid 1978, block triangular form), instead of the fill a
    general column ordering leaves.
    """
    from collections import deque

    from scipy.sparse.csgraph import connected_components

    n = a.shape[0]
    coo = sp.coo_matrix(a)
    off = coo.row != coo.col
    consumer, supplier = coo.col[off], coo.row[off]
    graph = sp.csr_matrix((np.ones(consumer.size), (consumer, supplier)), shape=(n, n))
    count, labels = connected_components(graph, directed=True, connection="strong")
    src, dst = labels[consumer], labels[supplier]
    cross = src != dst
    dag = sp.csr_matrix((np.ones(int(cross.sum())), (src[cross], dst[cross])), (count, count))
    dag.sum_duplicates()
    indptr, indices = dag.indptr.tolist(), dag.indices.tolist()
    indegree = np.bincount(dag.indices, minlength=count).tolist()
    ready = deque(k for k in range(count) if indegree[k] == 0)
    order: list[int] = []
    while ready:
        k = ready.popleft()
        order.append(k)
        for t in indices[indptr[k] : indptr[k + 1]]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    rank = np.empty(count, dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(count)
    return np.argsort(rank[labels], kind="stable").astype(np.int64)


class Factorised:
    """A technosphere matrix A [n × n], factorised once for any number of demands.

    A is permuted to block-triangular form (:func:`supply_order`) and Aᵀ factorised by
    SuperLU in that order: the permuted Aᵀ is block upper-triangular, so pivots stay on the
    diagonal outside the loops and the factors fill in only within them.
    """

    def __init__(self, a: sp.spmatrix) -> None:
        if a.shape[0] != a.shape[1]:
            raise SingularMatrix(f"A is {a.shape[0]} × {a.shape[1]}, not square")
        self.n = int(a.shape[0])
        self.order = supply_order(a)
        permuted = sp.csc_matrix(a)[self.order][:, self.order]
        try:
            self._lu = splu(sp.csc_matrix(permuted.T), permc_spec="NATURAL")
        except RuntimeError as exc:  # SuperLU: "Factor is exactly singular"
            raise SingularMatrix(str(exc)) from None
        diag = np.abs(self._lu.U.diagonal())
        if diag.size and diag.min() <= np.finfo(float).eps * max(float(diag.max()), 1.0) * self.n:
            raise SingularMatrix("A is numerically singular")

    @property
    def fill(self) -> int:
        """Non-zeros in the factors L and U (a measure of the factorisation's cost)."""
        return int(self._lu.L.nnz + self._lu.U.nnz)

    def supply(self, f: Array) -> Array:
        """s with A·s = f; ``f`` is one demand [n] or one demand per column [n × k]."""
        rhs = np.asarray(f, dtype=float)[self.order]
        out = np.empty_like(rhs)
        out[self.order] = self._lu.solve(rhs, trans="T")
        return out

    def intensities(self, g: Array) -> Array:
        """y with Aᵀ·y = g, e.g. g = (c·B)ᵀ gives the footprint per unit of each product."""
        rhs = np.asarray(g, dtype=float)[self.order]
        out = np.empty_like(rhs)
        out[self.order] = self._lu.solve(rhs)
        return out


def footprint(a: sp.spmatrix, b: sp.spmatrix, c: Array, f: Array) -> tuple[float, Array]:
    """h = c·B·A⁻¹·f [kgCO2e] and the supply vector s."""
    s = Factorised(a).supply(f)
    return float(c @ (b @ s)), s


@dataclass(frozen=True)
class Pattern:
    """Coordinates of a sparse matrix's entries, for values that change per draw."""

    rows: IntArray
    cols: IntArray
    shape: tuple[int, int]

    def gather(self) -> sp.csr_matrix:
        """The (shape[0] × nnz) 0/1 matrix that sums entry products into rows."""
        nnz = len(self.rows)
        return sp.csr_matrix(
            (np.ones(nnz), (self.rows, np.arange(nnz))), shape=(self.shape[0], nnz)
        )

    def matrix(self, values: Array) -> sp.csc_matrix:
        return sp.csc_matrix((values, (self.rows, self.cols)), shape=self.shape)


@dataclass(frozen=True)
class DrawStats:
    """What the Monte Carlo solver did: iterations of the batch solver, direct fall-backs."""

    iterations: int
    direct: int


def solve_draws(
    base: Factorised,
    a: Pattern,
    a_values: Array,
    b: Pattern,
    b_values: Array,
    c: Array,
    f: Array,
    *,
    tol: float = 1e-10,
    max_iter: int = 60,
) -> tuple[Array, DrawStats]:
    """Footprints h [S] of S draws: column i of ``a_values`` [nnz_A × S] and ``b_values``
    [nnz_B × S] are the entries of Aᵢ and Bᵢ on the patterns ``a`` and ``b``.

    Also returns the solver statistics. ``c`` [n_e] and ``f`` [n] are fixed. Each draw's
    Aᵢ is a CSR matrix sharing one index structure (entries of one cell are summed by the
    product), so a step costs one sparse product per draw and one batched triangular solve.
    """
    n, draws = a.shape[0], a_values.shape[1]
    order = np.lexsort((a.cols, a.rows))
    indptr = np.concatenate([[0], np.cumsum(np.bincount(a.rows, minlength=n))])
    indices = a.cols[order]
    rows_by_draw = np.ascontiguousarray(a_values[order].T)
    mats = [sp.csr_matrix((rows_by_draw[i], indices, indptr), shape=a.shape) for i in range(draws)]
    x = np.repeat(base.supply(f)[:, None], draws, axis=1)
    norm = max(float(np.abs(f).max()), 1e-300)
    active = np.arange(draws)
    steps = 0
    while active.size and steps < max_iter:
        residual = np.empty((n, active.size))
        for k, i in enumerate(active):
            residual[:, k] = f - mats[i] @ x[:, i]
        keep = np.abs(residual).max(axis=0) / norm > tol
        active, residual = active[keep], residual[:, keep]
        if not active.size:
            break
        x[:, active] += base.supply(residual)
        steps += 1
    for i in active:  # not converged: its own factorisation
        x[:, i] = Factorised(mats[i]).supply(f)
    inventory = b.gather() @ (b_values * x[b.cols])
    return np.asarray(c @ inventory), DrawStats(steps, int(active.size))
