"""The errata of the five sources, each with evidence computed on demand (appendix "Errata").

Every entry names the source, the place, what is written and the correction (LaTeX), its kind,
and the keyword flag of the ``rnnlib.sources`` function that reproduces it:

* ``"math"``  — the equation gives a wrong number;
* ``"typo"``  — a wrong symbol with no numeric consequence (the next line, which the code uses, is right);
* ``"label"`` — a name or an unstated convention that, taken at its word, gives a wrong number.

:func:`evidence` runs the as-written function (flag at ``entry.literal``) and the fixed one (flag at
``entry.fixed``) on a seeded random model for T = 1, 2, …, T_max (prefixes of one sequence) against
:func:`rnnlib.bptt`, checks bptt itself against :func:`rnnlib.numerical_gradient` at the failing T,
and reports the smallest failing T. Nothing in this module states a result; it only computes them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import ACTIVATIONS, check_choice, check_positive_int
from ..bptt import bptt
from ..forward import forward
from ..gradcheck import numerical_gradient, rel_error
from ..params import NAMES, Params
from . import outline001, ramkumar, whitehill

KINDS = ("math", "typo", "label")
PASS_TOL = 1e-8     # at or below: agrees with bptt up to round-off


@dataclass(frozen=True)
class Erratum:
    """One error of one source. ``params`` lists the rnnlib parameters it can affect."""

    key: str
    source: str
    location: str
    as_written: str
    corrected: str
    kind: str
    function: str | None
    flag: str | None
    literal: object
    fixed: object
    chapter: str
    params: tuple = ()
    note: str = ""


ERRATA: list[Erratum] = [
    Erratum("ramkumar-eq3.11", "Ramkumar 000 + 002", "002 eq. 3.11; BPTT pseudocode in 000 and 002",
            r"\frac{\partial \mathbf{a}_t}{\partial \mathbf{b}} = \operatorname{diag}(h'(\mathbf{z}_t))",
            r"\frac{\partial \mathbf{a}_t}{\partial \mathbf{b}} = \operatorname{diag}(h'(\mathbf{z}_t))"
            r"\left[\mathbf{I}_{N^{(1)}} + \mathbf{W}\frac{\partial \mathbf{a}_{t-1}}{\partial \mathbf{b}}\right]",
            "math", "ramkumar.bptt_as_written", "fix_db", False, True, "Ramkumar, line by line", ("b",),
            "∂z_t/∂b = I + W ∂a_{t−1}/∂b is written one line earlier (before eq. 3.10) but not carried."),
    Erratum("ramkumar-eq3.16", "Ramkumar 002", "002 eq. 3.16 (last line)",
            r"\frac{\partial L_t}{\partial \mathbf{U}} = \delta_t^{(2)} \omega_2",
            r"\frac{\partial L_t}{\partial \mathbf{U}} = \delta_t^{(1)} \omega_2",
            "math", "ramkumar.bptt_as_written", "fix_eq316", False, True, "Ramkumar, line by line", ("U",),
            "A shape error unless N1 = N2; then silently wrong. Eq. 3.19, §3.3 and the pseudocode have δ^(1)."),
    Erratum("ramkumar-update-N2", "Ramkumar 002", "002 §4.1, all five update equations",
            r"\sum_{t=1}^{N^{(2)}} \sum_{k=1}^{N^{(2)}} \left(\frac{\partial L_t}{\partial \theta}\right)_{k,\dots}",
            r"\sum_{t=1}^{T} \sum_{k=1}^{N^{(2)}} \left(\frac{\partial L_t}{\partial \theta}\right)_{k,\dots}",
            "math", "ramkumar.bptt_as_written", "update_sum", "N2", "T", "Ramkumar, line by line", NAMES,
            "000 and the 002 pseudocode have Σ_{t=1}^{T}. Not applicable when T < N2 (no L_t for t > T)."),
    Erratum("ramkumar-reshape-order", "Ramkumar 000 + 002", "002 eqs. 3.5, 3.13, 3.17 (and every reshape)",
            r"\operatorname{reshape}(\mathbf{a}_t^T \otimes \mathbf{I}_{N^{(2)}}, N^{(2)} \times N^{(2)} \times N^{(1)})"
            r"\ \text{(order unstated; numpy's default is row-major)}",
            r"\operatorname{reshape}_{\text{column-major}}(\cdots):\ "
            r"\left(\tfrac{\partial \mathbf{o}_t}{\partial \mathbf{V}}\right)_{k,i,j} = \delta_{ki}\, a_{j,t}",
            "label", "ramkumar.bptt_as_written", "order", "C", "F", "Ramkumar, line by line", ("W", "U", "V"),
            "The displayed tensors fix column-major order; row-major gives ∂L/∂W transposed and scrambles U, V."),
    Erratum("ramkumar-eq3.7-v33", "Ramkumar 002", "002 eq. 3.7, third line, entry (2, 3)",
            r"\begin{bmatrix} v_{1,1} & v_{1,2} & v_{1,3} \\ v_{2,1} & v_{2,2} & v_{3,3} \end{bmatrix}",
            r"\begin{bmatrix} v_{1,1} & v_{1,2} & v_{1,3} \\ v_{2,1} & v_{2,2} & v_{2,3} \end{bmatrix}",
            "typo", None, None, None, None, "Ramkumar, line by line"),
    Erratum("ramkumar-eq3.7-deltaT", "Ramkumar 002", "002 eq. 3.7, last line",
            r"\frac{\partial L_t}{\partial \mathbf{a}_t} = \delta_T^{(2)} \mathbf{V}",
            r"\frac{\partial L_t}{\partial \mathbf{a}_t} = \delta_t^{(2)} \mathbf{V}",
            "typo", None, None, None, None, "Ramkumar, line by line"),
    Erratum("ramkumar-eq3.8-diag", "Ramkumar 002", "002 eq. 3.8, third line",
            r"\operatorname{diag}(h'(z_{1,t}), h'(z_{1,t}), h'(z_{1,t}))",
            r"\operatorname{diag}(h'(z_{1,t}), h'(z_{2,t}), h'(z_{3,t}))",
            "typo", None, None, None, None, "Ramkumar, line by line"),
    Erratum("ramkumar-note3.10-vector", "Ramkumar 002", "002, note after eq. 3.10",
            r"\frac{\partial L_t}{\partial \mathbf{b}} \text{ is a vector of shape } N^{(2)} \times N^{(1)}",
            r"\frac{\partial L_t}{\partial \mathbf{b}} \text{ is a matrix of shape } N^{(2)} \times N^{(1)}",
            "typo", None, None, None, None, "Ramkumar, line by line"),
    Erratum("outline-recursion", "Outline 001", "001 §3.3, t = T−1, …, 1",
            r"\frac{\partial L}{\partial h_t} = W_y^\top \frac{\partial L}{\partial \hat{y}_t}"
            r" + W_h^\top \frac{\partial L}{\partial h_{t+1}}",
            r"\frac{\partial L}{\partial h_t} = W_y^\top \frac{\partial L}{\partial \hat{y}_t}"
            r" + W_h^\top \left(f'(z_{t+1}) \odot \frac{\partial L}{\partial h_{t+1}}\right)",
            "math", "outline001.backward_as_written", "fix_recursion", False, True, "The outline (001)",
            ("U", "W", "b"), "Exact for f = identity and for T = 1; W_h is shielded one step longer by h_0 = 0."),
    Erratum("outline-dL-dyhat", "Outline 001", "001 §3.1",
            r"\frac{\partial L}{\partial \hat{y}_t} = \hat{y}_t - y_t^{\text{true}}",
            r"\frac{\partial L}{\partial y_t} = \hat{y}_t - y_t^{\text{true}}"
            r"\quad\left(\frac{\partial L}{\partial \hat{y}_t} = -y_t^{\text{true}} \oslash \hat{y}_t"
            r"\text{ for softmax + cross-entropy}\right)",
            "label", "outline001.backward_as_written", "literal_label", True, False, "The outline (001)", NAMES,
            "The value is the right one to use (it is the gradient w.r.t. the logits y_t); the label is not."),
    Erratum("whitehill-vec-order", "Whitehill 004", "004 §2.1–2.2: the block-diagonal ∂z_t/∂vec[U] and vec[Σ r_τ]",
            r"\frac{\partial \mathbf{z}_t}{\partial \operatorname{vec}[\mathbf{U}]} = "
            r"\operatorname{blockdiag}(\mathbf{h}_{t-1}^\top, \dots, \mathbf{h}_{t-1}^\top)"
            r"\ \text{with vec unstated (column-major by convention)}",
            r"\operatorname{vec} = \text{row-major (rows of } \mathbf{U} \text{ stacked); for column-major vec, }"
            r"\frac{\partial \mathbf{z}_t}{\partial \operatorname{vec}[\mathbf{U}]} = \mathbf{h}_{t-1}^\top \otimes \mathbf{I}",
            "label", "whitehill.qr_gradients", "vec_order", "col", "row", "Whitehill: the q/r recursion",
            ("W", "U"), "Read with the column-major vec, ∂J/∂U comes back transposed."),
    Erratum("whitehill-innermost", "Whitehill 004", "004 §2.1 and §2.2, the nested expansions of ∂J_t",
            r"\cdots + \operatorname{diag}[\mathbf{g}_1^\top]\mathbf{U}[\mathbf{F}_1]",
            r"\cdots + \operatorname{diag}[\mathbf{g}_2^\top]\mathbf{U}[\mathbf{F}_1]",
            "math", "whitehill.nested_expansion_as_written", "fix_innermost", False, True,
            "Whitehill: the q/r recursion", ("W", "U"),
            "Invisible for U when h_0 = 0 (F_1 = 0); wrong for V (E_1 ≠ 0). The q/r recursion is right."),
]


def get(key: str) -> Erratum:
    """The entry with this ``key``."""
    for e in ERRATA:
        if e.key == key:
            return e
    raise ValueError(f"key must be one of {', '.join(e.key for e in ERRATA)}; got {key!r}")


# --- the models the evidence runs on -----------------------------------------------------------
def _model(entry: Erratum, T: int, seed: int, n: int, N1: int, N2: int, activation: str, h0: bool):
    rng = np.random.default_rng(seed)
    if entry.source.startswith("Whitehill"):
        N2 = 1
    p = Params(W=0.7 * rng.standard_normal((N1, N1)), U=0.7 * rng.standard_normal((N1, n)),
               b=0.5 * rng.standard_normal(N1), V=0.7 * rng.standard_normal((N2, N1)),
               c=0.5 * rng.standard_normal(N2))
    xs = rng.standard_normal((T, n))
    if entry.source.startswith("Whitehill"):
        p = Params(W=p.W, U=p.U, b=np.zeros(N1), V=p.V, c=np.zeros(1))
        ys = rng.standard_normal((T, 1))
        a0 = 0.5 * rng.standard_normal(N1) if h0 else None
        return p, xs, ys, "tanh", "identity", a0
    ys = np.eye(N2)[rng.integers(0, N2, size=T)]
    return p, xs, ys, activation, "softmax", None


def _probe(entry: Erratum, value, p, xs, ys, activation, output, a0):
    """The gradient of the entry's function with its flag at ``value``, as {rnnlib name: array};
    None where the equation does not apply."""
    key = entry.key
    if key.startswith("ramkumar"):
        flags = dict(fix_db=True, fix_eq316=True, order="F", update_sum="T")
        flags[entry.flag] = value
        if flags["update_sum"] == "N2" and len(xs) < p.n_out:
            return None
        g = ramkumar.bptt_as_written(p, xs, ys, activation, **flags).grads
        return {name: getattr(g, name) for name in entry.params}
    if key.startswith("outline"):
        flags = dict(fix_recursion=True, literal_label=False)
        flags[entry.flag] = value
        g = outline001.to_params(outline001.backward_as_written(p, xs, ys, activation, output, **flags).grads)
        return {name: getattr(g, name) for name in entry.params}
    wp = whitehill.from_params(p)
    if key == "whitehill-vec-order":
        _, g = whitehill.qr_gradients(wp, xs, ys, h0=a0, vec_order=value)
        return {"W": g.U, "U": g.V}
    out = {}
    for his, ours in (("U", "W"), ("V", "U")):
        nz = whitehill.nested_expansion_as_written(wp, xs, ys, his, fix_innermost=value, h0=a0)
        out[ours] = whitehill.unvec(nz.total, getattr(p, ours).shape, "row")
    return out


def _errors(got: dict, ref: Params) -> dict:
    return {name: rel_error(arr, getattr(ref, name)) for name, arr in got.items()}


def evidence(entry: Erratum | str, *, T_max: int = 6, seed: int = 0, n: int = 2, N1: int = 3, N2: int = 2,
             activation: str = "tanh", h0: bool = False) -> dict:
    """Compute the evidence for one erratum on a seeded random model (the 2-3-2 network by default).

    For ``"math"`` and ``"label"`` entries, for T = 1..T_max on prefixes of one random sequence:
    status "pass" (relative error to bptt ≤ 1e-8), "fail", "raises" (the as-written equation raised
    ValueError, e.g. a shape error) or "n/a" (the equation does not apply). Returns a dict with
    ``statuses``, ``errors`` (per T and parameter), ``smallest_failing_T`` (first "fail"/"raises"),
    ``rel_error`` there, ``message`` (if it raised), ``passes_below`` (every smaller T passed or was
    n/a), ``by_param`` (first failing T per parameter), ``fixed_error`` (flag at ``entry.fixed``, same T)
    and ``reference_vs_numerical`` (bptt against finite differences at that T).
    ``h0=True`` gives Whitehill's model a random nonzero initial state.

    For ``"typo"`` entries, the literal reading is evaluated against the intended one and the
    vector form the code uses is checked against bptt.
    """
    if isinstance(entry, str):
        entry = get(entry)
    if not isinstance(entry, Erratum):
        raise TypeError(f"entry must be an Erratum or its key; got {type(entry).__name__}")
    T_max = check_positive_int("T_max", T_max)
    check_choice("activation", activation, ACTIVATIONS)
    n, N1, N2 = (check_positive_int(k, v) for k, v in (("n", n), ("N1", N1), ("N2", N2)))
    p, xs, ys, act, out, a0 = _model(entry, T_max, seed, n, N1, N2, activation, h0)
    if entry.kind == "typo":
        return _typo_evidence(entry, p, xs, ys, act)
    statuses, errors, fixed, message = {}, {}, {}, None
    for T in range(1, T_max + 1):
        ref = bptt(p, xs[:T], ys[:T], act, out, a0=a0)[1]
        try:
            got = _probe(entry, entry.literal, p, xs[:T], ys[:T], act, out, a0)
        except ValueError as exc:
            statuses[T], message = "raises", message or str(exc)
            fixed[T] = max(_errors(_probe(entry, entry.fixed, p, xs[:T], ys[:T], act, out, a0), ref).values())
            continue
        if got is None:
            statuses[T] = "n/a"
            continue
        errors[T] = _errors(got, ref)
        statuses[T] = "pass" if max(errors[T].values()) <= PASS_TOL else "fail"
        fixed[T] = max(_errors(_probe(entry, entry.fixed, p, xs[:T], ys[:T], act, out, a0), ref).values())
    failing = [T for T, s in statuses.items() if s in ("fail", "raises")]
    T_fail = failing[0] if failing else None
    by_param = {name: next((T for T, e in errors.items() if e[name] > PASS_TOL), None)
                for name in entry.params if any(name in e for e in errors.values())}
    result = dict(key=entry.key, kind=entry.kind, statuses=statuses, errors=errors,
                  smallest_failing_T=T_fail, by_param=by_param, message=message,
                  rel_error=max(errors[T_fail].values()) if T_fail in errors else None,
                  passes_below=T_fail is not None and all(statuses[T] in ("pass", "n/a") for T in range(1, T_fail)),
                  fixed_error=fixed.get(T_fail), reference_vs_numerical=None)
    if T_fail is not None:
        ref = bptt(p, xs[:T_fail], ys[:T_fail], act, out, a0=a0)[1]
        num = numerical_gradient(p, xs[:T_fail], ys[:T_fail], act, out, a0=a0)[1]
        result["reference_vs_numerical"] = max(rel_error(getattr(ref, k), getattr(num, k)) for k in NAMES)
    return result


def _typo_evidence(entry: Erratum, p: Params, xs, ys, activation) -> dict:
    run = ramkumar.bptt_as_written(p, xs, ys, activation, fix_db=True, fix_eq316=True)
    ref = bptt(p, xs, ys, activation)[1]
    vector_ok = max(rel_error(getattr(run.grads, k), getattr(ref, k)) for k in NAMES) <= PASS_TOL
    steps, T = run.steps, len(run.steps)
    if entry.key == "ramkumar-eq3.7-v33":
        try:
            displayed = np.array([[p.V[0, 0], p.V[0, 1], p.V[0, 2]], [p.V[1, 0], p.V[1, 1], p.V[2, 2]]])
            differs, detail = bool(np.any(displayed != p.V[:2, :3])), "v_{3,3} exists and differs from v_{2,3}"
        except IndexError:
            differs, detail = True, f"V is {p.V.shape[0]}×{p.V.shape[1]}: v_{{3,3}} does not exist"
    elif entry.key == "ramkumar-eq3.7-deltaT":
        literal = [steps[-1]["delta2"] @ p.V for _ in steps]             # δ_T^(2) V at every t
        differs = any(not np.allclose(literal[t], steps[t]["dL_da"]) for t in range(T))
        detail = f"δ_T^(2) V differs from δ_t^(2) V at some t < T = {T}" if differs else "no difference"
    elif entry.key == "ramkumar-eq3.8-diag":
        hp = forward(p, xs, activation).h_prime[-1]                       # h'(z_T), (N1,)
        literal = steps[-1]["dL_da"] @ np.diag(np.full(p.n_hidden, hp[0]))  # δ_T^(1) with h'(z_{1,T}) thrice
        differs = bool(not np.allclose(literal, steps[-1]["delta1"]))
        detail = "∂L_t/∂a_t diag(h'(z_{1,t}), h'(z_{1,t}), h'(z_{1,t})) vs δ_t^(1) = ∂L_t/∂a_t diag(h'(z_t))"
    else:  # ramkumar-note3.10-vector
        shape = steps[0]["dL_db"].shape
        differs, detail = len(shape) != 1, f"∂L_t/∂b has shape {shape} (ndim {len(shape)})"
    return dict(key=entry.key, kind="typo", literal_differs=differs, detail=detail,
                vector_form_matches_bptt=vector_ok, smallest_failing_T=None)


def table() -> list[dict]:
    """The errata as plain dicts (for a chapter's table), without evidence."""
    return [dict(key=e.key, source=e.source, location=e.location, kind=e.kind, flag=e.flag,
                 chapter=e.chapter) for e in ERRATA]


__all__ = ["Erratum", "ERRATA", "KINDS", "get", "evidence", "table"]
