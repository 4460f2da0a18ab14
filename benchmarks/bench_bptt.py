#!/usr/bin/env python
"""Time rnnlib's reverse-mode BPTT against PyTorch CPU and a min-char-rnn loop (chapter "What the algorithms cost").

Sections, in order:

1. the machine: numpy, BLAS (via threadpoolctl when installed), threads, OPENBLAS_* settings;
2. a check that ``rnnlib.bptt`` and torch autograd give the same gradients (one configuration);
3. the ratio table rnnlib/torch for forward + backward (loss and all five gradients),
   B ∈ {1, 32}, T = 100, n = N2 = 65, H = N1 ∈ {16, 64, 128, 256, 512}, float32 and float64,
   with PASS/MISS against the targets;
4. characters per second of one training step (gradients, clipping, Adagrad) against the training
   loop of Karpathy's min-char-rnn (``lossFun`` and its Adagrad update), one sequence at a time, in
   the same dtype, and for reference in min-char-rnn's own float64;
5. the BLAS floor: the matrix products of one bptt call timed alone, against rnnlib, torch and the
   loop, to show how much of each target any implementation of these products could reach;
6. ``rnnlib.tensor_bptt.tensor_bptt`` against its plain-einsum twin ``tensor_bptt_einsum``.

PyTorch is optional: without it (or with ``--no-torch``) sections 2 and the torch columns of 3
are skipped and the script still exits 0. Every timing is the median of interleaved runs
(the contenders alternate within each repetition, after a warm-up), with one BLAS thread
unless ``--threads`` says otherwise. Run ``python benchmarks/bench_bptt.py --help``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Callable


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="few repetitions and sizes (CI smoke run, well under 60 s)")
    ap.add_argument("--reps", type=int, default=None,
                    help="timed repetitions per contender and size (default 15, or 3 with --quick)")
    ap.add_argument("--no-torch", action="store_true", help="skip everything that needs PyTorch")
    ap.add_argument("--threads", type=int, default=1, help="BLAS / torch threads (default 1)")
    ap.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                    help="wall time (default) or this process's CPU time, steadier on a busy machine")
    ap.add_argument("--tsv", type=Path, default=None,
                    help="also write the results as a TSV file (the format of book/data/benchmark_ratios.tsv)")
    args = ap.parse_args(argv)
    if args.reps is None:
        args.reps = 3 if args.quick else 15
    if args.reps < 1 or args.threads < 1:
        ap.error("--reps and --threads must be positive integers")
    return args


ARGS = parse_args()
# the thread count must be fixed before numpy (and its BLAS) is first imported
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = str(ARGS.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, installed or not
import rnnlib  # noqa: E402
from rnnlib import Indices, Params, bptt, init_params, rel_error  # noqa: E402
from rnnlib.params import NAMES  # noqa: E402

T_TABLE, N_VOCAB = 100, 65                      # T and n = N2 of the ratio table
RESULTS: dict = {"rows": [], "meta": {}, "tensor": []}   # what --tsv writes
TABLE_HEADER = f"{'B':>3} {'H':>4} {'dtype':>8} {'rnnlib ms':>10} {'torch ms':>9} {'ratio':>6} {'target':>7}  verdict"


# ---------------------------------------------------------------------------------------------
# timing and data
# ---------------------------------------------------------------------------------------------
def interleaved(fns: dict[str, Callable[[], object]], reps: int, warmup: int = 2) -> dict[str, float]:
    """Median wall time (s) of each function; all are run once per repetition, order alternating."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    clock = time.perf_counter if ARGS.clock == "wall" else time.process_time
    times: dict[str, list[float]] = {name: [] for name in fns}
    names = list(fns)
    for r in range(reps):
        for name in (names if r % 2 == 0 else names[::-1]):
            t0 = clock()
            fns[name]()
            times[name].append(clock() - t0)
    return {name: float(np.median(ts)) for name, ts in times.items()}


def char_problem(T: int, B: int, vocab: int, seed: int = 0):
    """Random character indices: inputs and next-character targets, each (T, B) ints."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, vocab, size=(T + 1, B))
    return idx[:-1], idx[1:]


def one_hot(idx: np.ndarray, vocab: int, dtype) -> np.ndarray:
    """(…) ints -> (…, vocab) one-hot rows."""
    return np.eye(vocab, dtype=dtype)[idx]


# ---------------------------------------------------------------------------------------------
# 1. the machine
# ---------------------------------------------------------------------------------------------
def describe_machine(torch) -> None:
    print("== machine ==")
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, rnnlib {rnnlib.__version__}, "
          f"torch {torch.__version__ if torch is not None else '(not used)'}")
    print(f"threads requested: {ARGS.threads} (OMP/OPENBLAS/MKL_NUM_THREADS set before importing numpy)")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{var} = {os.environ.get(var, '(unset)')}   (left as found)")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        print("threadpoolctl not installed: BLAS kernel and thread count not confirmed "
              "(pip install threadpoolctl to see them)")
    else:
        for lib in threadpool_info():
            line = (f"{lib.get('internal_api')} {lib.get('version')} kernel={lib.get('architecture', '?')} "
                    f"threads={lib.get('num_threads')} ({Path(lib.get('filepath', '?')).name})")
            print(f"  {lib.get('user_api')}: {line}")
            if lib.get("user_api") == "blas":
                RESULTS["meta"]["blas"] = line
    print(f"clock: {ARGS.clock} time" + (" (CPU time of this process)" if ARGS.clock == "cpu" else ""))
    if hasattr(os, "getloadavg"):
        print("load average (1, 5, 15 min): %.2f %.2f %.2f" % os.getloadavg())
        RESULTS["meta"]["load_average"] = "%.2f %.2f %.2f (1, 5, 15 min, at the start)" % os.getloadavg()
    RESULTS["meta"]["versions"] = (f"python {sys.version.split()[0]}, numpy {np.__version__}, "
                                   f"rnnlib {rnnlib.__version__}, "
                                   f"torch {torch.__version__ if torch is not None else '(not used)'}")
    RESULTS["meta"]["machine"] = _cpu_name()


def _cpu_name() -> str:
    """The CPU model and core count, from /proc/cpuinfo where there is one."""
    try:
        text = Path("/proc/cpuinfo").read_text()
        model = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("model name"))
    except (OSError, StopIteration):
        model = "unknown CPU"
    return f"{model}, {os.cpu_count()} logical CPUs, {sys.platform}"


# ---------------------------------------------------------------------------------------------
# PyTorch reference: nn.RNN(tanh) + nn.Linear, cross-entropy summed over time, mean over batch
# ---------------------------------------------------------------------------------------------
def import_torch():
    """torch, or None (with a message) when it is not installed or ``--no-torch`` was given."""
    if ARGS.no_torch:
        print("--no-torch: skipping every comparison with PyTorch")
        return None
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed; it is optional for rnnlib. Skipping every comparison with it "
              "(pip install torch, the CPU build, to run them).")
        return None
    torch.set_num_threads(ARGS.threads)
    return torch


def torch_model(torch, params: Params):
    """nn.RNN + nn.Linear holding rnnlib's parameters: weight_ih=U, weight_hh=W, bias_ih=b,
    bias_hh=0, Linear weight=V, bias=c."""
    dtype = {np.float32: torch.float32, np.float64: torch.float64}[params.dtype.type]
    rnn = torch.nn.RNN(params.n_in, params.n_hidden, nonlinearity="tanh", batch_first=False).to(dtype)
    lin = torch.nn.Linear(params.n_hidden, params.n_out).to(dtype)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(torch.from_numpy(params.U))
        rnn.weight_hh_l0.copy_(torch.from_numpy(params.W))
        rnn.bias_ih_l0.copy_(torch.from_numpy(params.b))
        rnn.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(params.V))
        lin.bias.copy_(torch.from_numpy(params.c))
    return rnn, lin


def torch_step(torch, rnn, lin, X, targets) -> float:
    """Forward + autograd backward; X (T, B, n) tensor, targets (T, B) class indices."""
    rnn.zero_grad(set_to_none=True)
    lin.zero_grad(set_to_none=True)
    T, B, _ = X.shape
    out, _ = rnn(X)                                            # (T, B, N1)
    logits = lin(out)                                          # (T, B, N2)
    loss = torch.nn.functional.cross_entropy(logits.reshape(T * B, -1), targets.reshape(-1),
                                             reduction="sum") / B
    loss.backward()
    return float(loss.detach())


def torch_grads(rnn, lin) -> dict[str, np.ndarray]:
    return {"W": rnn.weight_hh_l0.grad.numpy(), "U": rnn.weight_ih_l0.grad.numpy(),
            "b": rnn.bias_ih_l0.grad.numpy(), "V": lin.weight.grad.numpy(), "c": lin.bias.grad.numpy()}


# ---------------------------------------------------------------------------------------------
# 2. same gradients as torch
# ---------------------------------------------------------------------------------------------
def check_against_torch(torch) -> None:
    print("\n== gradients: rnnlib.bptt against torch autograd ==")
    T, B, H = 20, 4, 32
    worst = 0.0
    for dtype in (np.float64, np.float32):
        params = init_params(N_VOCAB, H, N_VOCAB, seed=1, dtype=dtype)
        params = params.map(lambda x: x + 0.1 * np.random.default_rng(2).standard_normal(x.shape).astype(dtype))
        inputs, targets = char_problem(T, B, N_VOCAB, seed=3)
        loss, grads = bptt(params, one_hot(inputs, N_VOCAB, dtype), one_hot(targets, N_VOCAB, dtype))
        rnn, lin = torch_model(torch, params)
        tloss = torch_step(torch, rnn, lin, torch.from_numpy(one_hot(inputs, N_VOCAB, dtype)),
                           torch.from_numpy(targets))
        tg = torch_grads(rnn, lin)
        errors = {name: rel_error(getattr(grads, name), tg[name]) for name in NAMES}
        dtypes = {str(g.dtype) for g in grads}
        print(f"{np.dtype(dtype).name}: T={T} B={B} n=N2={N_VOCAB} H={H}: loss rnnlib {loss:.6f} torch {tloss:.6f}; "
              f"max relative error of the gradients {max(errors.values()):.1e} "
              f"({', '.join(f'{k} {v:.0e}' for k, v in errors.items())}); rnnlib grads dtype {'/'.join(dtypes)}")
        if dtypes != {np.dtype(dtype).name}:
            sys.exit(f"rnnlib.bptt returned gradients of dtype {dtypes} for {np.dtype(dtype).name} parameters")
        if dtype == np.float64:
            worst = max(errors.values())
        RESULTS["meta"].setdefault("gradients", "")
        RESULTS["meta"]["gradients"] += f"max_rel_error_{np.dtype(dtype).name}={max(errors.values()):.1e} "
    if worst > 1e-9:
        sys.exit(f"rnnlib.bptt and torch disagree (relative error {worst:.1e} in float64): not timing")


# ---------------------------------------------------------------------------------------------
# 3. the ratio table
# ---------------------------------------------------------------------------------------------
def target(B: int, H: int, dtype) -> float | None:
    """The ratio rnnlib/torch to meet, or None where no target is set."""
    if B == 1 and H <= 256:
        return 0.30
    if B == 32 and H <= 128:
        return 0.60
    if B == 32 and H == 512 and dtype == np.float32:
        return 0.75
    return None


def ratio_table(torch) -> None:
    Bs, Hs = (1, 32), (16, 64, 128, 256, 512)
    dtypes = (np.float32, np.float64)
    if ARGS.quick:
        Hs, dtypes = (16, 128), (np.float32,)
    print(f"\n== forward + backward (loss and all gradients): T={T_TABLE}, n=N2={N_VOCAB}, "
          f"median of {ARGS.reps} interleaved runs ==")
    print(TABLE_HEADER)
    for B in Bs:
        for H in Hs:
            for dtype in dtypes:
                print(table_row(torch, B, H, dtype), flush=True)


def table_row(torch, B: int, H: int, dtype) -> str:
    params = init_params(N_VOCAB, H, N_VOCAB, seed=0, dtype=dtype)
    inputs, targets = char_problem(T_TABLE, B, N_VOCAB, seed=1)
    X = one_hot(inputs, N_VOCAB, dtype)
    Yi = Indices(targets)                      # targets by class, as torch's cross_entropy gets them
    fns = {"rnnlib": lambda: bptt(params, X, Yi)}
    if torch is not None:
        rnn, lin = torch_model(torch, params)
        tX, tt = torch.from_numpy(X), torch.from_numpy(targets)
        fns["torch"] = lambda: torch_step(torch, rnn, lin, tX, tt)
    med = interleaved(fns, ARGS.reps)
    row = f"{B:>3} {H:>4} {np.dtype(dtype).name:>8} {1e3 * med['rnnlib']:>10.3f}"
    goal = target(B, H, dtype)
    goal_text = f"≤{goal:.2f}" if goal is not None else ""
    if torch is None:
        return row + f" {'—':>9} {'—':>6} {goal_text:>7}"
    ratio = med["rnnlib"] / med["torch"]
    verdict = ("PASS" if ratio <= goal else "MISS") if goal is not None else "-"
    RESULTS["rows"].append((B, H, np.dtype(dtype).name, f"{1e3 * med['rnnlib']:.3f}", f"{1e3 * med['torch']:.3f}",
                            f"{ratio:.2f}", f"{goal:.2f}" if goal is not None else "-", verdict))
    row += f" {1e3 * med['torch']:>9.3f} {ratio:>6.2f} {goal_text:>7}"
    return row + (f"  {verdict}" if goal is not None else "")


# ---------------------------------------------------------------------------------------------
# 4. one training step against min-char-rnn
# ---------------------------------------------------------------------------------------------
def min_char_rnn_lossFun(inputs, targets, hprev, Wxh, Whh, Why, bh, by, vocab_size):
    """Karpathy's min-char-rnn ``lossFun``, as written there: dicts of column vectors, np.dot per step,
    one sequence at a time. Only change: the one-hot columns take the parameters' dtype (there they
    are float64 zeros), so a float32 run stays float32.

    Mapping to rnnlib: Wxh = U, Whh = W, Why = V, bh = b[:, None], by = c[:, None].
    """
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0
    # forward pass
    for t in range(len(inputs)):
        xs[t] = np.zeros((vocab_size, 1), dtype=Wxh.dtype)  # encode in 1-of-k representation
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)  # hidden state
        ys[t] = np.dot(Why, hs[t]) + by  # unnormalized log probabilities for next chars
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))  # probabilities for next chars
        loss += -np.log(ps[t][targets[t], 0])  # softmax (cross-entropy loss)
    # backward pass: compute gradients going backwards
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1  # backprop into y
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext  # backprop into h
        dhraw = (1 - hs[t] * hs[t]) * dh  # backprop through tanh nonlinearity
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
        np.clip(dparam, -5, 5, out=dparam)  # clip to mitigate exploding gradients
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


STEP_T, STEP_B, STEP_H, STEP_LR = 25, 32, 100, 0.1     # the training step of section 4 (float32)


def training_problem():
    """Section 4's problem: float32 parameters and (T, B) input and target characters."""
    params0 = init_params(N_VOCAB, STEP_H, N_VOCAB, seed=0, dtype=np.float32)
    inputs, targets = char_problem(STEP_T, STEP_B, N_VOCAB, seed=4)
    return params0, inputs, targets


def min_char_rnn_step(params0: Params, inputs, targets, lr: float, dt) -> Params:
    """min-char-rnn's training loop body for each of the B sequences in turn: ``lossFun``, then its Adagrad
    (``param += -learning_rate * dparam / np.sqrt(mem + 1e-8)``), with the parameters in dtype ``dt``."""
    T, B = inputs.shape
    H = params0.n_hidden
    p = params0.astype(dt)
    Wxh, Whh, Why, bh, by = p.U, p.W, p.V, p.b[:, None].copy(), p.c[:, None].copy()
    mems = [np.zeros_like(x) for x in (Wxh, Whh, Why, bh, by)]
    for s in range(B):                                                  # one sequence at a time
        _, dWxh, dWhh, dWhy, dbh, dby, _ = min_char_rnn_lossFun(
            inputs[:, s], targets[:, s], np.zeros((H, 1), dt), Wxh, Whh, Why, bh, by, N_VOCAB)
        for param, dparam, mem in zip([Wxh, Whh, Why, bh, by], [dWxh, dWhh, dWhy, dbh, dby], mems):
            mem += dparam * dparam
            param += -lr * dparam / np.sqrt(mem + 1e-8)                 # adagrad update
    return Params(W=Whh, U=Wxh, b=bh[:, 0], V=Why, c=by[:, 0])


def chars_per_second() -> None:
    T, B, H, lr, dtype = STEP_T, STEP_B, STEP_H, STEP_LR, np.float32
    print(f"\n== one training step (gradients, clipping to ±5, Adagrad update): {np.dtype(dtype).name}, "
          f"B={B}, H={H}, T={T}, vocabulary {N_VOCAB} ==")
    params0, inputs, targets = training_problem()
    eye = np.eye(N_VOCAB, dtype=dtype)

    # the loop reproduces bptt's gradients for one sequence (its loss is summed over t, as bptt's at B = 1)
    loss, g = bptt(params0.astype(np.float64), eye[inputs[:, 0]], eye[targets[:, 0]])
    p64 = params0.astype(np.float64)
    out = min_char_rnn_lossFun(inputs[:, 0], targets[:, 0], np.zeros((H, 1)), p64.U, p64.W, p64.V,
                               p64.b[:, None], p64.c[:, None], N_VOCAB)
    ours = (g.U, g.W, g.V, g.b, g.c)                                        # lossFun's order: Wxh, Whh, Why, bh, by
    err = max(rel_error(mine, theirs.reshape(mine.shape)) for mine, theirs in zip(ours, out[1:6]))
    print(f"min-char-rnn loop vs rnnlib.bptt on one sequence (float64): loss {out[0]:.6f} vs {loss:.6f}, "
          f"max relative error of the gradients {err:.1e}")

    # every timed step starts from params0, so repeated steps on the same batch cannot diverge
    xi, yi = Indices(inputs), Indices(targets)                            # (T, B) characters, as lossFun takes them
    adagrad = rnnlib.Adagrad(lr)

    def rnnlib_step():
        _, grads = bptt(params0, xi, yi)                                    # all 32 sequences at once
        return adagrad.step(params0, rnnlib.clip_by_value(grads, 5.0))     # clipped as lossFun clips

    def loop_step(dt):
        return min_char_rnn_step(params0, inputs, targets, lr, dt)

    med = interleaved({"rnnlib": rnnlib_step, "loop": lambda: loop_step(dtype),
                       "loop64": lambda: loop_step(np.float64)}, max(3, ARGS.reps))
    chars = T * B
    speedup, speedup64 = med["loop"] / med["rnnlib"], med["loop64"] / med["rnnlib"]
    print(f"rnnlib (bptt on the batch, {np.dtype(dtype).name}): {chars / med['rnnlib']:>12,.0f} chars/s   "
          f"({1e3 * med['rnnlib']:.2f} ms/step)")
    print(f"min-char-rnn loop, {np.dtype(dtype).name}:          {chars / med['loop']:>12,.0f} chars/s   "
          f"({1e3 * med['loop']:.2f} ms/step)")
    print(f"speed-up {speedup:.1f}x   target ≥ 20x  {'PASS' if speedup >= 20 else 'MISS'}")
    print(f"for reference, the loop in float64 (min-char-rnn's): {chars / med['loop64']:>7,.0f} chars/s   "
          f"({1e3 * med['loop64']:.2f} ms/step): rnnlib's float32 step is {speedup64:.1f}x faster (no target)")
    RESULTS["meta"]["chars_per_second"] = (
        f"rnnlib={chars / med['rnnlib']:.0f} min_char_rnn={chars / med['loop']:.0f} speedup={speedup:.1f} "
        f"target=20 verdict={'PASS' if speedup >= 20 else 'MISS'} "
        f"min_char_rnn_float64={chars / med['loop64']:.0f} speedup_vs_float64={speedup64:.1f} "
        f"setup=float32,B={B},H={H},T={T},vocab={N_VOCAB},clip=5,adagrad max_rel_error_vs_loop={err:.1e}")


# ---------------------------------------------------------------------------------------------
# 5. the BLAS floor: the matrix products of one bptt call, and nothing else
# ---------------------------------------------------------------------------------------------
def matrix_products(T: int, B: int, H: int, n: int, N2: int, dtype, gather_inputs: bool,
                    columns: bool = False) -> Callable[[], None]:
    """A function running only the matrix products one ``rnnlib.bptt`` call makes (same shapes, same
    order, random data, preallocated outputs): U x_t for all t (skipped when the inputs are gathered
    by index), W a_{t-1} for t = 2..T, V a_t, Vᵀ δo_t, Wᵀ ∂L/∂z_t for t = T..2, then dW, dU, dV.

    ``columns=True`` makes the products inside the two time loops with the states as columns,
    W (H, H) @ a (H, B), instead of rows, a (B, H) @ Wᵀ: the same arithmetic, which some BLAS
    kernels run faster (a full implementation in that layout needs its own transposes, not timed here).
    """
    rng = np.random.default_rng(0)
    def r(*shape):
        return rng.standard_normal(shape).astype(dtype)
    W, WT, U, V = r(H, H), r(H, H), r(H, n), r(N2, H)
    X2, A2, dZ2, OT = r(T * B, n), r(T * B, H), r(T * B, H), r(N2, T * B)
    Z2 = np.empty((T * B, H), dtype)
    A3, dZ3 = A2.reshape(T, B, H), dZ2.reshape(T, B, H)       # states as rows: (B, H) per step
    AT3, dZT3 = r(T, H, B), r(T, H, B)                        # states as columns: (H, B) per step
    step, stepT = np.empty((B, H), dtype), np.empty((H, B), dtype)

    def products() -> None:
        if not gather_inputs:
            np.dot(X2, U.T, out=Z2)                             # U x_t, all t
        for t in range(1, T):                                   # W a_{t-1}
            if columns:
                np.dot(W, AT3[t - 1], out=stepT)
            else:
                np.dot(A3[t - 1], WT, out=step)
        np.dot(V, A2.T, out=OT)                                 # V a_t, all t
        np.dot(OT.T, V, out=Z2)                                 # Vᵀ δo_t, all t
        for t in range(T - 1, 0, -1):                           # Wᵀ ∂L/∂z_t
            if columns:
                np.dot(WT, dZT3[t], out=stepT)
            else:
                np.dot(dZ3[t], W, out=step)
        np.dot(dZ2[B:].T, A2[:-B])                              # dW
        np.dot(dZ2.T, X2)                                       # dU
        np.dot(OT, A2)                                          # dV
    return products


def blas_floor(torch) -> None:
    print("\n== the BLAS floor: the matrix products of one bptt call, alone (no activations, no softmax; "
          "only the loop over t around the per-step ones) ==")
    B, H, dtype = 32, 512, np.float32
    params = init_params(N_VOCAB, H, N_VOCAB, seed=0, dtype=dtype)
    inputs, targets = char_problem(T_TABLE, B, N_VOCAB, seed=1)
    X, Yi = one_hot(inputs, N_VOCAB, dtype), Indices(targets)
    fns = {"rnnlib": lambda: bptt(params, X, Yi),
           "rows": matrix_products(T_TABLE, B, H, N_VOCAB, N_VOCAB, dtype, gather_inputs=False),
           "columns": matrix_products(T_TABLE, B, H, N_VOCAB, N_VOCAB, dtype, gather_inputs=False, columns=True)}
    if torch is not None:
        rnn, lin = torch_model(torch, params)
        tX, tt = torch.from_numpy(X), torch.from_numpy(targets)
        fns["torch"] = lambda: torch_step(torch, rnn, lin, tX, tt)
    med = interleaved(fns, ARGS.reps)
    med["products"] = min(med["rows"], med["columns"])
    line = (f"B={B}, H={H}, {np.dtype(dtype).name}: rnnlib.bptt {1e3 * med['rnnlib']:.2f} ms; its matrix products "
            f"alone {1e3 * med['rows']:.2f} ms (states as rows, as rnnlib), {1e3 * med['columns']:.2f} ms (as "
            f"columns); the faster is {med['products'] / med['rnnlib']:.0%} of rnnlib's time")
    meta = (f"table_B=32_H=512_float32: rnnlib_ms={1e3 * med['rnnlib']:.3f} products_rows_ms={1e3 * med['rows']:.3f} "
            f"products_columns_ms={1e3 * med['columns']:.3f}")
    if torch is not None:
        line += (f"; torch {1e3 * med['torch']:.2f} ms: products alone / torch = "
                 f"{med['products'] / med['torch']:.2f} (the target for rnnlib / torch is 0.75)")
        meta += f" torch_ms={1e3 * med['torch']:.3f} products_over_torch={med['products'] / med['torch']:.2f}"
    print(line)
    T, B, H = STEP_T, STEP_B, STEP_H
    params0, inputs, targets = training_problem()
    med = interleaved({"rows": matrix_products(T, B, H, N_VOCAB, N_VOCAB, np.float32, gather_inputs=True),
                       "columns": matrix_products(T, B, H, N_VOCAB, N_VOCAB, np.float32, gather_inputs=True,
                                                  columns=True),
                       "loop": lambda: min_char_rnn_step(params0, inputs, targets, STEP_LR, np.float32)},
                      max(3, ARGS.reps))
    med["products"] = min(med["rows"], med["columns"])
    print(f"training step (float32, B={B}, H={H}, T={T}, inputs gathered by index): matrix products alone "
          f"{1e3 * med['rows']:.2f} ms (rows), {1e3 * med['columns']:.2f} ms (columns), "
          f"the float32 min-char-rnn loop {1e3 * med['loop']:.2f} ms: "
          f"a step of nothing but these products would be {med['loop'] / med['products']:.1f}x faster than the loop "
          f"(the target for rnnlib's whole step is 20x)")
    meta += (f"; training_step: products_rows_ms={1e3 * med['rows']:.3f} "
             f"products_columns_ms={1e3 * med['columns']:.3f} loop_ms={1e3 * med['loop']:.3f} "
             f"loop_over_products={med['loop'] / med['products']:.1f}")
    RESULTS["meta"]["blas_floor"] = meta


# ---------------------------------------------------------------------------------------------
# 6. the tensor engine against its einsum twin
# ---------------------------------------------------------------------------------------------
def tensor_engines() -> None:
    print("\n== rnnlib.tensor_bptt: tensor_bptt against tensor_bptt_einsum ==")
    try:
        from rnnlib.tensor_bptt import tensor_bptt, tensor_bptt_einsum
    except ImportError as exc:
        print(f"skipped: rnnlib.tensor_bptt is not available yet ({exc})")
        return
    T, B, n, dtype = 25, 8, 16, np.float64
    Hs = (8, 16) if ARGS.quick else (8, 16, 32)
    print(f"T={T}, B={B}, n=N2={n}, {np.dtype(dtype).name}, median of {max(3, ARGS.reps)} interleaved runs")
    print(f"{'H':>4} {'tensor_bptt ms':>15} {'einsum ms':>10} {'speed-up':>9} {'bptt ms':>8}")
    for H in Hs:
        params = init_params(n, H, n, seed=0, dtype=dtype)
        inputs, targets = char_problem(T, B, n, seed=5)
        X, Y = one_hot(inputs, n, dtype), one_hot(targets, n, dtype)
        med = interleaved({"tensor": lambda: tensor_bptt(params, X, Y),
                           "einsum": lambda: tensor_bptt_einsum(params, X, Y),
                           "bptt": lambda: bptt(params, X, Y)}, max(3, ARGS.reps), warmup=1)
        print(f"{H:>4} {1e3 * med['tensor']:>15.3f} {1e3 * med['einsum']:>10.3f} "
              f"{med['einsum'] / med['tensor']:>8.1f}x {1e3 * med['bptt']:>8.3f}", flush=True)
        RESULTS["tensor"].append(
            f"H={H} tensor_bptt_ms={1e3 * med['tensor']:.3f} einsum_ms={1e3 * med['einsum']:.3f} "
            f"speedup={med['einsum'] / med['tensor']:.1f} bptt_ms={1e3 * med['bptt']:.3f} "
            f"setup={np.dtype(dtype).name},T={T},B={B},n=N2={n}")


def write_tsv(path: Path, started: str) -> None:
    """The results in the format of book/data/benchmark_ratios.tsv: '#' lines, then the ratio table."""
    m = RESULTS["meta"]
    lines = [
        '# Stored results of ONE run of benchmarks/bench_bptt.py (chapter "What the algorithms cost").',
        f"# date: {started}",
        f"# machine: {m.get('machine', '?')}",
        f"# blas: {m.get('blas', '? (threadpoolctl not installed)')}",
        f"# versions: {m.get('versions', '?')}",
        f"# load_average: {m.get('load_average', '?')}",
        "# command: python benchmarks/bench_bptt.py " + " ".join(sys.argv[1:]),
        f"# setup: {ARGS.threads} thread(s) (BLAS and torch), {ARGS.clock}-clock median of {ARGS.reps} "
        f"interleaved runs, T={T_TABLE}, n=N2={N_VOCAB}, forward + backward (loss and all five gradients)",
        "# columns: ratio = rnnlib_ms / torch_ms (below 1: rnnlib is faster); target = the ratio to stay at or "
        "under ('-': none set); verdict PASS/MISS ('-': no target)",
    ]
    if "gradients" in m:
        lines.append(f"# gradients_vs_torch: {m['gradients'].strip()}")
    if "chars_per_second" in m:
        lines.append(f"# chars_per_second: {m['chars_per_second']}")
    if "blas_floor" in m:
        lines.append(f"# blas_floor: {m['blas_floor']}")
    lines += [f"# tensor_vs_einsum: {t}" for t in RESULTS["tensor"]]
    lines.append("\t".join(["B", "H", "dtype", "rnnlib_ms", "torch_ms", "ratio", "target", "verdict"]))
    lines += ["\t".join(str(v) for v in row) for row in RESULTS["rows"]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {path}")


def main() -> int:
    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    torch = import_torch()
    describe_machine(torch)
    if torch is None:
        print("torch columns show '—'; PASS/MISS needs torch")
    if torch is not None:
        check_against_torch(torch)
    ratio_table(torch)
    chars_per_second()
    blas_floor(torch)
    tensor_engines()
    if ARGS.tsv is not None:
        if torch is None:
            print("--tsv needs torch (the ratio table): not written", file=sys.stderr)
            return 1
        write_tsv(ARGS.tsv, started)
    print(f"\ndone in {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
