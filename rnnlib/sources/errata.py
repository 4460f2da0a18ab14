"""The errata of the five sources, each with evidence computed on demand (appendix "Errata").

Every entry names the source, the place, what is written and the correction (LaTeX), its kind,
and the keyword flag of the ``rnnlib.sources`` function that reproduces it. The chapters that show
and correct it are not stored in the entry: :data:`LABELS` maps its key to the chapters' MyST labels
and :data:`TITLES` maps a label to the chapter's title (``entry.labels``, ``entry.chapters``).
The kinds:

* ``"math"``  — the equation gives a wrong number;
* ``"typo"``  — a wrong symbol with no numeric consequence (the next line, which the code uses, is right);
* ``"label"`` — a name or an unstated convention that, taken at its word, gives a wrong number.

:func:`evidence` runs the as-written function (flag at ``entry.literal``) and the fixed one (flag at
``entry.fixed``) on a seeded random model for T = 1, 2, …, T_max (prefixes of one sequence) against
:func:`rnnlib.bptt`, checks bptt itself against :func:`rnnlib.numerical_gradient` at the failing T,
and reports the smallest failing T, with the as-written gradient's relative error to central finite
differences there and one step earlier.

:data:`FURTHER` holds the errors no flag of the as-written functions switches (the loss axis read as
per-component gradients, what 001 and Khurana leave unstated, notational slips); ``"omission"`` is
their fourth kind (something the text needs but does not say). :data:`ALL` is both lists, in the
order of the appendix, and :func:`evidence` computes the evidence of any of them.
Nothing in this module states a result; it only computes them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import ACTIVATIONS, check_choice, check_positive_int
from ..bptt import bptt
from ..forward import forward
from ..gradcheck import central_differences, numerical_gradient, rel_error
from ..params import NAMES, Params, check_params
from . import khurana, outline001, ramkumar, whitehill

KINDS = ("math", "typo", "label")          # the kinds of ERRATA (each has a flag)
ALL_KINDS = KINDS + ("omission",)         # FURTHER may also be an omission
FD_TOL = 1e-6       # as-written vs central differences: at or below, "passes" (FD error ≈ 1e-9)
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
    params: tuple = ()
    note: str = ""

    @property
    def labels(self) -> tuple:
        """The book's chapter labels (MyST targets) where this error is shown and corrected."""
        return LABELS[self.key]

    @property
    def chapters(self) -> tuple:
        """The titles of those chapters, in the order of :attr:`labels` (from :data:`TITLES`)."""
        return tuple(TITLES[label] for label in self.labels)

    @property
    def chapter(self) -> str:
        """The chapter titles as one string, e.g. ``"The 2-3-2 worked example; Tensor BPTT"``."""
        return "; ".join(self.chapters)


ERRATA: list[Erratum] = [
    Erratum("ramkumar-eq3.11", "Ramkumar 000 + 002", "002 eq. 3.11; BPTT pseudocode in 000 and 002",
            r"\frac{\partial \mathbf{a}_t}{\partial \mathbf{b}} = \operatorname{diag}(h'(\mathbf{z}_t))",
            r"\frac{\partial \mathbf{a}_t}{\partial \mathbf{b}} = \operatorname{diag}(h'(\mathbf{z}_t))"
            r"\left[\mathbf{I}_{N^{(1)}} + \mathbf{W}\frac{\partial \mathbf{a}_{t-1}}{\partial \mathbf{b}}\right]",
            "math", "ramkumar.bptt_as_written", "fix_db", False, True, ("b",),
            "∂z_t/∂b = I + W ∂a_{t−1}/∂b is written one line earlier (before eq. 3.10) but not carried."),
    Erratum("ramkumar-eq3.16", "Ramkumar 002", "002 eq. 3.16 (last line)",
            r"\frac{\partial L_t}{\partial \mathbf{U}} = \delta_t^{(2)} \omega_2",
            r"\frac{\partial L_t}{\partial \mathbf{U}} = \delta_t^{(1)} \omega_2",
            "math", "ramkumar.bptt_as_written", "fix_eq316", False, True, ("U",),
            "A shape error unless N1 = N2; then silently wrong. Eq. 3.19, §3.3 and the pseudocode have δ^(1)."),
    Erratum("ramkumar-update-N2", "Ramkumar 002", "002 §4.1, all five update equations",
            r"\sum_{t=1}^{N^{(2)}} \sum_{k=1}^{N^{(2)}} \left(\frac{\partial L_t}{\partial \theta}\right)_{k,\dots}",
            r"\sum_{t=1}^{T} \sum_{k=1}^{N^{(2)}} \left(\frac{\partial L_t}{\partial \theta}\right)_{k,\dots}",
            "math", "ramkumar.bptt_as_written", "update_sum", "N2", "T", NAMES,
            "000 and the 002 pseudocode have Σ_{t=1}^{T}. Not applicable when T < N2 (no L_t for t > T)."),
    Erratum("ramkumar-reshape-order", "Ramkumar 000 + 002", "002 eqs. 3.5, 3.13, 3.17 (and every reshape)",
            r"\operatorname{reshape}(\mathbf{a}_t^T \otimes \mathbf{I}_{N^{(2)}}, N^{(2)} \times N^{(2)} \times N^{(1)})"
            r"\ \text{(order unstated; numpy's default is row-major)}",
            r"\operatorname{reshape}_{\text{column-major}}(\cdots):\ "
            r"\left(\tfrac{\partial \mathbf{o}_t}{\partial \mathbf{V}}\right)_{k,i,j} = \delta_{ki}\, a_{j,t}",
            "label", "ramkumar.bptt_as_written", "order", "C", "F", ("W", "U", "V"),
            "The displayed tensors fix column-major order; row-major gives ∂L/∂W transposed and scrambles U, V."),
    Erratum("ramkumar-eq3.7-v33", "Ramkumar 002", "002 eq. 3.7, third line, entry (2, 3)",
            r"\begin{bmatrix} v_{1,1} & v_{1,2} & v_{1,3} \\ v_{2,1} & v_{2,2} & v_{3,3} \end{bmatrix}",
            r"\begin{bmatrix} v_{1,1} & v_{1,2} & v_{1,3} \\ v_{2,1} & v_{2,2} & v_{2,3} \end{bmatrix}",
            "typo", None, None, None, None),
    Erratum("ramkumar-eq3.7-deltaT", "Ramkumar 002", "002 eq. 3.7, last line",
            r"\frac{\partial L_t}{\partial \mathbf{a}_t} = \delta_T^{(2)} \mathbf{V}",
            r"\frac{\partial L_t}{\partial \mathbf{a}_t} = \delta_t^{(2)} \mathbf{V}",
            "typo", None, None, None, None),
    Erratum("ramkumar-eq3.8-diag", "Ramkumar 002", "002 eq. 3.8, third line",
            r"\operatorname{diag}(h'(z_{1,t}), h'(z_{1,t}), h'(z_{1,t}))",
            r"\operatorname{diag}(h'(z_{1,t}), h'(z_{2,t}), h'(z_{3,t}))",
            "typo", None, None, None, None),
    Erratum("ramkumar-note3.10-vector", "Ramkumar 002", "002, note after eq. 3.10",
            r"\frac{\partial L_t}{\partial \mathbf{b}} \text{ is a vector of shape } N^{(2)} \times N^{(1)}",
            r"\frac{\partial L_t}{\partial \mathbf{b}} \text{ is a matrix of shape } N^{(2)} \times N^{(1)}",
            "typo", None, None, None, None),
    Erratum("outline-recursion", "Outline 001", "001 §3.3, t = T−1, …, 1",
            r"\frac{\partial L}{\partial h_t} = W_y^\top \frac{\partial L}{\partial \hat{y}_t}"
            r" + W_h^\top \frac{\partial L}{\partial h_{t+1}}",
            r"\frac{\partial L}{\partial h_t} = W_y^\top \frac{\partial L}{\partial \hat{y}_t}"
            r" + W_h^\top \left(f'(z_{t+1}) \odot \frac{\partial L}{\partial h_{t+1}}\right)",
            "math", "outline001.backward_as_written", "fix_recursion", False, True,
            ("U", "W", "b"), "Exact for f = identity and for T = 1; W_h is shielded one step longer by h_0 = 0."),
    Erratum("outline-dL-dyhat", "Outline 001", "001 §3.1",
            r"\frac{\partial L}{\partial \hat{y}_t} = \hat{y}_t - y_t^{\text{true}}",
            r"\frac{\partial L}{\partial y_t} = \hat{y}_t - y_t^{\text{true}}"
            r"\quad\left(\frac{\partial L}{\partial \hat{y}_t} = -y_t^{\text{true}} \oslash \hat{y}_t"
            r"\text{ for softmax + cross-entropy}\right)",
            "label", "outline001.backward_as_written", "literal_label", True, False, NAMES,
            "The value is the right one to use (it is the gradient w.r.t. the logits y_t); the label is not."),
    Erratum("whitehill-vec-order", "Whitehill 004", "004 §2.1–2.2: the block-diagonal ∂z_t/∂vec[U] and vec[Σ r_τ]",
            r"\frac{\partial \mathbf{z}_t}{\partial \operatorname{vec}[\mathbf{U}]} = "
            r"\operatorname{blockdiag}(\mathbf{h}_{t-1}^\top, \dots, \mathbf{h}_{t-1}^\top)"
            r"\ \text{with vec unstated (column-major by convention)}",
            r"\operatorname{vec} = \text{row-major (rows of } \mathbf{U} \text{ stacked); for column-major vec, }"
            r"\frac{\partial \mathbf{z}_t}{\partial \operatorname{vec}[\mathbf{U}]} = \mathbf{h}_{t-1}^\top \otimes \mathbf{I}",
            "label", "whitehill.qr_gradients", "vec_order", "col", "row",
            ("W", "U"), "Read with the column-major vec, ∂J/∂U comes back transposed."),
    Erratum("whitehill-innermost", "Whitehill 004", "004 §2.1 and §2.2, the nested expansions of ∂J_t",
            r"\cdots + \operatorname{diag}[\mathbf{g}_1^\top]\mathbf{U}[\mathbf{F}_1]",
            r"\cdots + \operatorname{diag}[\mathbf{g}_2^\top]\mathbf{U}[\mathbf{F}_1]",
            "math", "whitehill.nested_expansion_as_written", "fix_innermost", False, True, ("W", "U"),
            "Invisible for U when h_0 = 0 (F_1 = 0); wrong for V (E_1 ≠ 0). The q/r recursion is right."),
]


# Errors that no flag of the as-written functions switches: evidence by their own computations.
FURTHER: list[Erratum] = [
    Erratum("ramkumar-loss-axis", "Ramkumar 000 + 002", "002 eq. 3.2, §4 and §5 (the loss axis)",
            r"\frac{\partial L_t}{\partial \mathbf{o}_t} = \delta_t^{(2)} = \operatorname{diag}(\hat{\mathbf{y}}_t - \mathbf{y}_t)"
            r";\ \text{slice } k \text{ of } \frac{\partial L_t}{\partial \theta} \text{ is the gradient of loss component } k",
            r"\frac{\partial L_t}{\partial \mathbf{o}_t} = (\hat{\mathbf{y}}_t - \mathbf{y}_t)^\top"
            r";\ \text{slice } k = (\hat{y}_{k,t} - y_{k,t}) \frac{\partial o_{k,t}}{\partial \theta}"
            r" \text{ is the part through } o_{k,t}\text{; only } \textstyle\sum_k \text{ is a gradient}",
            "label", "ramkumar.bptt_as_written", None, None, None, NAMES,
            "Slice k is not the gradient of −y_k log ŷ_k (nor of any loss); the sum over k is exact."),
    Erratum("ramkumar-subpart", "Ramkumar 002", "002 §4.1, the note under the update equations",
            r"\text{updating parameters based on one sub-part of data only}",
            r"\text{based on one data point: all } T \text{ sub-parts of one sequence, } \textstyle\sum_{t=1}^{T}",
            "typo", "ramkumar.loss_axis_sum", None, None, None, NAMES,
            "A sub-part is one time step (§1, §2); the sums run over every t of the sequence."),
    Erratum("outline-loss-undefined", "Outline 001", "001 §3 (L is used, never defined)",
            r"L\ \text{(no formula)};\quad \frac{\partial L}{\partial \hat{y}_t} = \hat{y}_t - y_t^{\text{true}}",
            r"L = \textstyle\sum_t L_t,\ L_t = \tfrac{1}{2}\lVert \hat{y}_t - y_t \rVert^2\ (g = \text{identity})"
            r"\ \text{or}\ L_t = -y_t^\top \log \hat{y}_t\ (g = \text{softmax})",
            "omission", "outline001.backward_as_written", None, None, None, NAMES,
            "With g = identity and ½ squared error, §3.1 is exactly right as labelled; with softmax it is not."),
    Erratum("khurana-images", "Khurana 003", "003, every 'would be given as:' (the formulas were images)",
            r"\text{(formula missing: an image in the original)}",
            r"\frac{\partial L_t}{\partial \mathbf{W}} = \sum_{k=1}^{t} \frac{\partial L_t}{\partial \mathbf{s}_t}"
            r"\Big(\prod_{j=k+1}^{t} \frac{\partial \mathbf{s}_j}{\partial \mathbf{s}_{j-1}}\Big)"
            r"\frac{\partial^{+} \mathbf{s}_k}{\partial \mathbf{W}}",
            "omission", "khurana.total_gradient", None, None, None, ("W", "U", "b"),
            "What the text describes (L_4 reaches W through s_4, s_3, s_2, s_1; sum over all paths) is right."),
    Erratum("khurana-k", "Khurana 003", "003: k classes, and the path index k in ∂s_t/∂s_k",
            r"\mathbf{V} \in \mathbb{R}^{k \times d}\ (k \text{ classes});\quad"
            r" \frac{\partial \mathbf{s}_t}{\partial \mathbf{s}_k},\ k = 1, \dots, t",
            r"\mathbf{V} \in \mathbb{R}^{K \times d}\ (K \text{ classes});\quad"
            r" \frac{\partial \mathbf{s}_t}{\partial \mathbf{s}_k},\ k = 1, \dots, t",
            "typo", "khurana.path_terms", None, None, None, ("W",),
            "One letter for two things; no number changes."),
    Erratum("whitehill-gn", "Whitehill 004", "004 §2.1 (F_t) and §2.2 (E_t), the last diagonal block",
            r"(\mathbf{g}_t)_n \mathbf{h}_{t-1}^\top",
            r"(\mathbf{g}_t)_{N^{(1)}} \mathbf{h}_{t-1}^\top\ \text{(one block per hidden unit)}",
            "typo", "whitehill.F", None, None, None, ("W", "U"),
            "n is never defined in 004; elsewhere (002, 003, this book) n is the input size."),
]

# The title of each chapter that shows an error, by its label ({ref} target), as its heading reads.
TITLES: dict[str, str] = {
    "worked-example": "The 2-3-2 worked example",
    "tensor-bptt": "Tensor BPTT",
    "reverse-mode": "Reverse-mode BPTT and sums over paths",
    "qr-recursion": "Whitehill's q/r recursion",
}

# The book's chapter labels ({ref} targets) that show and correct each error.
LABELS: dict[str, tuple] = {
    "ramkumar-eq3.11": ("worked-example", "tensor-bptt"),
    "ramkumar-eq3.16": ("worked-example",),
    "ramkumar-update-N2": ("worked-example",),
    "ramkumar-reshape-order": ("worked-example", "tensor-bptt"),
    "ramkumar-eq3.7-v33": ("worked-example",),
    "ramkumar-eq3.7-deltaT": ("worked-example",),
    "ramkumar-eq3.8-diag": ("worked-example",),
    "ramkumar-note3.10-vector": ("worked-example",),
    "ramkumar-loss-axis": ("worked-example", "tensor-bptt"),
    "ramkumar-subpart": ("worked-example",),
    "outline-recursion": ("reverse-mode",),
    "outline-dL-dyhat": ("reverse-mode",),
    "outline-loss-undefined": ("reverse-mode",),
    "khurana-images": ("reverse-mode",),
    "khurana-k": ("reverse-mode",),
    "whitehill-vec-order": ("qr-recursion",),
    "whitehill-innermost": ("qr-recursion",),
    "whitehill-gn": ("qr-recursion",),
}

_SOURCE_ORDER = ("Ramkumar", "Outline", "Khurana", "Whitehill")
ALL: list[Erratum] = sorted(ERRATA + FURTHER, key=lambda e: _SOURCE_ORDER.index(e.source.split()[0]))


def get(key: str) -> Erratum:
    """The entry with this ``key`` (in :data:`ERRATA` or :data:`FURTHER`)."""
    for e in ALL:
        if e.key == key:
            return e
    raise ValueError(f"key must be one of {', '.join(e.key for e in ALL)}; got {key!r}")


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

    Against central finite differences (:func:`rnnlib.numerical_gradient`, independent of bptt):
    ``fd_error`` is the as-written gradient's largest relative error at the smallest failing T,
    ``fd_error_below`` the same at T − 1 (None if T = 1 or T − 1 was n/a), and ``counterexample``
    names the worst parameter there with both arrays (``param``, ``as_written``, ``numerical``).

    For ``"typo"`` entries, the literal reading is evaluated against the intended one and the
    vector form the code uses is checked against bptt. Entries of :data:`FURTHER` get their own
    computations (see :func:`_further_evidence`); every result has ``smallest_failing_T``,
    ``fd_error`` and ``detail`` (a sentence, numbers rounded).
    """
    if isinstance(entry, str):
        entry = get(entry)
    if not isinstance(entry, Erratum):
        raise TypeError(f"entry must be an Erratum or its key; got {type(entry).__name__}")
    T_max = check_positive_int("T_max", T_max)
    check_choice("activation", activation, ACTIVATIONS)
    n, N1, N2 = (check_positive_int(k, v) for k, v in (("n", n), ("N1", N1), ("N2", N2)))
    p, xs, ys, act, out, a0 = _model(entry, T_max, seed, n, N1, N2, activation, h0)
    if entry in FURTHER:
        return _further_evidence(entry, p, xs, ys, act, out, a0)
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
    result.update(fd_error=None, fd_error_below=None, counterexample=None)
    if T_fail is not None:
        ref = bptt(p, xs[:T_fail], ys[:T_fail], act, out, a0=a0)[1]
        num = numerical_gradient(p, xs[:T_fail], ys[:T_fail], act, out, a0=a0)[1]
        result["reference_vs_numerical"] = max(rel_error(getattr(ref, k), getattr(num, k)) for k in NAMES)
        if statuses[T_fail] == "fail":
            got = _probe(entry, entry.literal, p, xs[:T_fail], ys[:T_fail], act, out, a0)
            fd = _errors(got, num)
            worst = max(fd, key=fd.get)
            result["fd_error"] = fd[worst]
            result["counterexample"] = dict(T=T_fail, param=worst, as_written=got[worst],
                                            numerical=getattr(num, worst))
        if T_fail > 1 and statuses[T_fail - 1] == "pass":
            Tb = T_fail - 1
            num_b = numerical_gradient(p, xs[:Tb], ys[:Tb], act, out, a0=a0)[1]
            got_b = _probe(entry, entry.literal, p, xs[:Tb], ys[:Tb], act, out, a0)
            result["fd_error_below"] = max(_errors(got_b, num_b).values())
    result["detail"] = _detail(entry, result)
    return result


# rnnlib's parameter names in each source's letters (002 uses the book's letters).
SOURCE_NAMES = {
    "Outline": dict(W="W_h", U="W_x", b="b_h", V="W_y", c="b_y"),
    "Whitehill": dict(W="U", U="V", V="w"),
}


def source_name(entry: Erratum | str, name: str) -> str:
    """The source's letter for rnnlib parameter ``name`` (e.g. Whitehill's U for rnnlib's W)."""
    entry = get(entry) if isinstance(entry, str) else entry
    return SOURCE_NAMES.get(entry.source.split()[0], {}).get(name, name)


def _detail(entry: Erratum, ev: dict) -> str:
    """One sentence of evidence for a math/label entry (numbers rounded; parameters in the source's letters)."""
    T = ev["smallest_failing_T"]
    if T is None:
        return "no failure up to T_max"
    if ev["statuses"][T] == "raises":
        return f"raises ValueError from T = {T}: {ev['message'].split(': ', 1)[-1].split('. ')[0]}"
    by = {source_name(entry, k): v for k, v in ev["by_param"].items()}
    late = {k: v for k, v in by.items() if v is not None and v > T}
    never = [k for k, v in by.items() if v is None]
    parts = [f"wrong for {', '.join(k for k, v in by.items() if v == T)} from T = {T}"]
    parts += [f"{k} from T = {v}" for k, v in late.items()]
    if never:
        parts.append(f"{', '.join(never)} right at every T ≤ {max(ev['statuses'])}")
    return "; ".join(parts)


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
                vector_form_matches_bptt=vector_ok, smallest_failing_T=None, fd_error=None,
                fd_error_below=None, passes_below=None)


# --- evidence for FURTHER ----------------------------------------------------------------------
def _small(e: float) -> str:
    """A relative error in words stable under round-off: '≤ 1e-10' or '2.3e-04'."""
    return "≤ 1e-10" if e <= 1e-10 else f"{e:.1e}"


def component_gradient(params: Params, xs, ys, k: int, activation: str = "tanh", *, eps: float = 1e-6) -> Params:
    """Central differences of the k-th term of the cross-entropy, ℓ_k = −Σ_t y_{k,t} log ŷ_{k,t} (k 0-based).

    This is what "the loss gradient of output component k" would be, taken at its word.
    """
    check_params(params)
    ys = np.asarray(ys, dtype=np.float64)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < params.n_out:
        raise ValueError(f"k must be an integer class index 0 ≤ k < N2 = {params.n_out}; got {k!r}")

    def ell(q: Params) -> float:
        y_hat = forward(q, xs, activation).y_hat                         # (T, N2)
        return float(-(ys[:, k] * np.log(y_hat[:, k])).sum())

    return central_differences(ell, params, eps)


_FIXED = dict(fix_db=True, fix_eq316=True, order="F", update_sum="T")


def _loss_axis(entry, p, xs, ys, act, out, a0) -> dict:
    statuses, errors, sums = {}, {}, {}
    for T in range(1, len(xs) + 1):
        steps = ramkumar.bptt_as_written(p, xs[:T], ys[:T], act, **_FIXED).steps
        ref = bptt(p, xs[:T], ys[:T], act)[1]
        sums[T] = max(rel_error(getattr(ramkumar.loss_axis_sum(steps), k), getattr(ref, k)) for k in NAMES)
        per_k = []
        for k in range(p.n_out):
            fd = component_gradient(p, xs[:T], ys[:T], k, act)
            slice_k = {name: sum(s[ramkumar._STEP_KEYS[name]][k] for s in steps) for name in NAMES}
            per_k.append(max(rel_error(slice_k[name], getattr(fd, name)) for name in NAMES))
        errors[T] = max(per_k)
        statuses[T] = "pass" if errors[T] <= FD_TOL else "fail"
    T_fail = next((T for T, st in statuses.items() if st == "fail"), None)
    # the smallest counterexample: T = 1, a class k with y_{k,1} = 0, so ℓ_k ≡ 0 and its gradient is 0
    k0 = int(np.argmin(ys[0]))
    step = ramkumar.bptt_as_written(p, xs[:1], ys[:1], act, **_FIXED).steps[0]
    y_hat = forward(p, xs[:1], act).y_hat[0]
    slice_c = step["dL_dc"][k0]
    return dict(statuses=statuses, errors=errors, smallest_failing_T=T_fail, fd_error=errors.get(T_fail),
                passes_below=T_fail is not None and all(statuses[T] == "pass" for T in range(1, T_fail)),
                fd_error_below=None, sum_error=max(sums.values()),
                counterexample=dict(T=1, k=k0 + 1, y_k=float(ys[0, k0]), y_hat_k=float(y_hat[k0]),
                                    slice_c=slice_c, component_grad_c=component_gradient(p, xs[:1], ys[:1], k0, act).c),
                detail=(f"T = 1, class k = {k0 + 1} with y_k = 0: ℓ_k = −y_k log ŷ_k ≡ 0 has gradient 0, but slice k "
                        f"of ∂L_1/∂c is ({', '.join(f'{v:.3f}' for v in slice_c)}); "
                        f"the sum over k matches bptt (error {_small(max(sums.values()))})"))


def _further_evidence(entry: Erratum, p: Params, xs, ys, act, out, a0) -> dict:
    """Evidence for an entry of :data:`FURTHER` (none has a flag to switch)."""
    T_max = len(xs)
    base = dict(key=entry.key, kind=entry.kind, smallest_failing_T=None, fd_error=None, fd_error_below=None,
                passes_below=None, counterexample=None)
    if entry.key == "ramkumar-loss-axis":
        return {**base, **_loss_axis(entry, p, xs, ys, act, out, a0)}
    if entry.key == "ramkumar-subpart":
        steps = ramkumar.bptt_as_written(p, xs, ys, act, **_FIXED).steps
        whole = ramkumar.loss_axis_sum(steps)
        ref = bptt(p, xs, ys, act)[1]
        one = bptt(p, xs, ys, act, mask=np.eye(T_max)[0])[1]               # ∂L_1/∂θ: one sub-part only
        e_whole = max(rel_error(getattr(whole, k), getattr(ref, k)) for k in NAMES)
        e_one = max(rel_error(getattr(one, k), getattr(ref, k)) for k in NAMES)
        return {**base, "summed_steps": len(steps), "whole_error": e_whole, "one_subpart_error": e_one,
                "detail": f"the update sums all {len(steps)} steps of the sequence (matches bptt, error "
                          f"{_small(e_whole)}); one sub-part alone (L_1) has relative error {e_one:.2f}"}
    if entry.key == "outline-loss-undefined":
        errs = {"identity": {}, "softmax": {}}
        for output in errs:
            for T in range(1, T_max + 1):
                lit = outline001.to_params(outline001.backward_as_written(
                    p, xs[:T], ys[:T], act, output, fix_recursion=True, literal_label=True).grads)
                ref = bptt(p, xs[:T], ys[:T], act, output)[1]
                errs[output][T] = max(rel_error(getattr(lit, k), getattr(ref, k)) for k in NAMES)
        e_id = max(errs["identity"].values())
        T_soft = next((T for T, e in errs["softmax"].items() if e > PASS_TOL), None)
        return {**base, "errors": errs, "identity_error": e_id, "softmax_T": T_soft,
                "softmax_error": errs["softmax"].get(T_soft),
                "detail": f"taken at its word, §3.1 is exact for g = identity with ½ squared error (error "
                          f"{_small(e_id)} for T ≤ {T_max}) and wrong for softmax + cross-entropy from T = {T_soft}"}
    if entry.key == "khurana-images":
        errs = {T: max(rel_error(getattr(khurana.total_gradient(p, xs[:T], ys[:T], act)[1], k),
                                 getattr(bptt(p, xs[:T], ys[:T], act)[1], k)) for k in NAMES)
                for T in range(1, T_max + 1)}
        n_paths = len(khurana.path_terms(p, xs, ys, min(4, T_max), "W", act))
        return {**base, "errors": errs, "paths": n_paths,
                "detail": f"the described sum over paths, implemented, equals bptt for T = 1..{T_max} "
                          f"(error {_small(max(errs.values()))}); L_{min(4, T_max)} reaches W by {n_paths} paths"}
    if entry.key == "khurana-k":
        t = min(4, T_max)
        ks = [term["k"] for term in khurana.path_terms(p, xs, ys, t, "W", act)]
        return {**base, "classes": p.n_out, "path_indices": sorted(ks),
                "detail": f"k = {p.n_out} classes (V is {p.n_out} × {p.n_hidden}) while the paths of "
                          f"∂L_{t}/∂W run over k = {min(ks)}, …, {max(ks)}"}
    # whitehill-gn
    wp = whitehill.from_params(p)
    tr = whitehill.whitehill_forward(wp, xs, ys, h0=a0)
    Ft, Et = whitehill.F(tr, 1), whitehill.E(tr, 1)
    N1, n_in = p.n_hidden, p.n_in
    return {**base, "F_shape": Ft.shape, "E_shape": Et.shape, "blocks": N1, "n": n_in,
            "detail": f"F_t is {Ft.shape[0]} × {Ft.shape[1]} and E_t is {Et.shape[0]} × {Et.shape[1]}: "
                      f"{N1} diagonal blocks, one per hidden unit, so the last is (g_t)_{N1}; n = {n_in} here"}


def table() -> list[dict]:
    """Every erratum (:data:`ALL`) as a plain dict (for a chapter's table), without evidence.

    ``labels`` are the chapters' MyST labels, ``chapters`` their titles and ``chapter`` the titles joined.
    """
    return [dict(key=e.key, source=e.source, location=e.location, kind=e.kind, flag=e.flag,
                 chapter=e.chapter, chapters=e.chapters, labels=e.labels) for e in ALL]


__all__ = ["Erratum", "ERRATA", "FURTHER", "ALL", "KINDS", "ALL_KINDS", "LABELS", "TITLES", "SOURCE_NAMES", "get",
           "evidence", "source_name", "component_gradient", "table"]
