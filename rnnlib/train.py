"""The training loop (chapter "Training"; 000 "RNN training", 002 §4.2, 001 §5).

The sources' algorithm, with the convergence test of 002 §4.2 ("set a threshold on
the loss value; the model is converged when the loss goes below it")::

    repeat
        FORWARD PROPAGATION          ┐  engine(params, xs, ys, ...) -> (loss, grads)
        BPTT                         ┘  (rnnlib.bptt by default)
        PARAMETER_UPDATE             θ := θ - α ∂L/∂θ, or another optimizer (003)
    until loss < threshold  or  max_epochs epochs

The loss recorded for an epoch is the loss computed by its forward pass(es), i.e.
before that epoch's update(s), exactly where the pseudocode computes it. Progress is
printed as plain text lines (no widgets), so it reads the same in a terminal, a live
notebook and a stored, re-executed notebook.
"""
from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._validate import check_choice, check_positive_float, check_positive_int
from .bptt import bptt
from .optim import Optimizer, clip_by_norm, make_optimizer
from .params import NAMES, Params, check_params


class TrainingDiverged(ArithmeticError):
    """The loss, a gradient or a parameter became NaN or Inf during training."""


@dataclass(eq=False)
class TrainResult:
    """What :func:`train` returns.

    Attributes
    ----------
    params : Params            the parameters after the last update
    history : ndarray (E,)     the loss of every epoch run (before that epoch's update)
    epochs : int               E, the number of epochs run
    converged : bool           True when the loss went below ``threshold``
    reason : str               why training stopped
    grad_norms : ndarray (E,)  global gradient norm per epoch (before clipping; for
                               minibatches, the largest over the epoch's batches)
    """

    params: Params
    history: np.ndarray
    epochs: int
    converged: bool
    reason: str
    grad_norms: np.ndarray = field(repr=False)

    @property
    def loss(self) -> float:
        """The last recorded loss."""
        return float(self.history[-1])

    def __repr__(self) -> str:
        first, last = float(self.history[0]), float(self.history[-1])
        return (f"TrainResult(epochs={self.epochs}, loss {first:.4g} -> {last:.4g}, "
                f"converged={self.converged}, reason={self.reason!r})")


def _as_batch(item, where: str) -> tuple:
    """(xs, ys) or (xs, ys, mask) -> (xs, ys, mask-or-None)."""
    if not isinstance(item, (tuple, list)) or len(item) not in (2, 3):
        raise TypeError(f"{where} must be a tuple (xs, ys) or (xs, ys, mask); got {type(item).__name__}"
                        + (f" of length {len(item)}" if isinstance(item, (tuple, list)) else ""))
    xs, ys = item[0], item[1]
    mask = item[2] if len(item) == 3 else None
    return xs, ys, mask


def _epoch_batches(data, ys, mask, rng: np.random.Generator, epoch: int) -> list:
    """The minibatches (xs, ys, mask) of one epoch."""
    if ys is not None:                              # train(params, xs, ys, mask=...)
        return [(data, ys, mask)]
    if mask is not None:
        raise ValueError("mask= is only for train(params, xs, ys, mask=mask); put the mask inside "
                         "each (xs, ys, mask) minibatch instead")
    if isinstance(data, np.ndarray):
        raise TypeError("ys is missing: call train(params, xs, ys) or pass (xs, ys[, mask]) tuples")
    if callable(data):                              # data(epoch, rng) -> minibatches
        batches = [_as_batch(b, f"minibatch {i} of epoch {epoch}") for i, b in enumerate(data(epoch, rng))]
    elif isinstance(data, tuple) and len(data) in (2, 3) and isinstance(data[0], np.ndarray):
        return [_as_batch(data, "data")]            # one full batch (xs, ys[, mask])
    elif isinstance(data, (list, tuple)):           # a fixed list of minibatches, shuffled per epoch
        batches = [_as_batch(data[i], f"minibatch {i}") for i in rng.permutation(len(data))]
    else:
        raise TypeError("data must be xs (with ys), a tuple (xs, ys[, mask]) of numpy arrays, a list of "
                        "such minibatches, or a callable (epoch, rng) -> minibatches; "
                        f"got {type(data).__name__}")
    if not batches:
        raise ValueError(f"epoch {epoch} has no minibatches")
    return batches


def _diverged(what: str, epoch: int, lr, clip) -> TrainingDiverged:
    hint = "try a lower lr" + ("" if clip is not None else " or gradient clipping (clip=1.0)")
    lr_txt = f" (lr = {lr:g})" if lr is not None else ""
    return TrainingDiverged(f"training diverged at epoch {epoch}: {what}{lr_txt}; {hint}")


class _Progress:
    """Plain-text progress: periodic lines, or one line rewritten with '\\r' on a terminal."""

    def __init__(self, mode: str, every: int, max_epochs: int, stream):
        self.mode, self.every, self.max_epochs, self.stream = mode, every, max_epochs, stream
        self.width = len(str(max_epochs))
        self.live = mode == "auto" and getattr(stream, "isatty", lambda: False)()
        self.dirty = False

    def epoch(self, e: int, loss: float) -> None:
        if self.mode == "none" or (e % self.every and e != 1):
            return
        line = f"epoch {e:>{self.width}}/{self.max_epochs}  loss {loss:.4f}"
        if self.live:
            self.stream.write("\r" + line)
            self.dirty = True
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self, result: TrainResult) -> None:
        if self.mode == "none":
            return
        if self.dirty:
            self.stream.write("\n")
        self.stream.write(f"done: {result.epochs} epochs, loss {result.loss:.4f}, {result.reason}\n")
        self.stream.flush()


def _step(params, batch, engine, opt, activation, output, clip, kw, epoch):
    """FORWARD; BPTT; PARAMETER_UPDATE on one (mini)batch: returns (new params, loss, ‖grads‖)."""
    xs, ys, mask = batch

    def diverged(what: str) -> TrainingDiverged:
        return _diverged(what, epoch, opt.lr, clip)

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):    # we check finiteness ourselves
        loss, grads = engine(params, xs, ys, activation, output, mask, **kw)   # FORWARD; BPTT
        if not np.isfinite(loss):
            raise diverged(f"the loss became {loss}")
        for name in NAMES:
            if not np.all(np.isfinite(getattr(grads, name))):
                raise diverged(f"the gradient d{name} has NaN or Inf entries")
        norm = grads.norm()                                              # global norm, before clipping
        if not np.isfinite(norm):
            raise diverged("the gradient norm overflowed to inf")
        if clip is not None:
            grads, _ = clip_by_norm(grads, clip)
        new = opt.step(params, grads)                                    # PARAMETER_UPDATE
        for name in NAMES:
            if not np.all(np.isfinite(getattr(new, name))):
                raise diverged(f"the updated parameter {name} has NaN or Inf entries")
    return new, float(loss), norm


def train(params: Params, data, ys=None, *, mask=None, engine: Callable = bptt,
          optimizer: str | Optimizer = "gd", lr: float | None = None, activation: str = "tanh",
          output: str = "softmax", threshold: float | None = None, max_epochs: int = 100,
          clip: float | None = None, truncate: int | None = None, progress: str = "auto",
          print_every: int | None = None, callback: Callable | None = None, seed: int = 0) -> TrainResult:
    """Train an RNN: repeat {FORWARD; BPTT; PARAMETER_UPDATE} until loss < threshold or max_epochs.

    Parameters
    ----------
    params : Params
        Initial θ (not modified).
    data, ys : the training data, in one of four forms
        * ``train(params, xs, ys, mask=mask)``: one full batch, xs (T, n) or (T, B, n);
        * ``train(params, (xs, ys[, mask]))``: the same, as a tuple of numpy arrays;
        * ``train(params, [(xs, ys[, mask]), ...])``: a list of minibatches, visited in a
          new order every epoch (shuffled with ``numpy.random.default_rng(seed)``);
        * ``train(params, fn)``: ``fn(epoch, rng)`` returns the epoch's minibatches.
        One optimizer step per minibatch; the epoch loss is their B-weighted mean.
    engine : callable
        ``engine(params, xs, ys, activation, output, mask[, truncate=k]) -> (loss, grads)``.
    optimizer : "gd", "momentum", "adagrad", "adam" or an :class:`~rnnlib.optim.Optimizer`
        A name is built with ``make_optimizer(optimizer, lr)``. An Optimizer object is
        used as it is (its state carries over between calls); then leave ``lr`` unset.
    lr : float, optional
        α; default 0.1 for a named optimizer.
    activation, output : str
    threshold : float, optional
        Stop as soon as an epoch's loss is below it (002 §4.2); ``converged`` is then True.
        The update of that epoch has been applied, as in the pseudocode's repeat-until.
    max_epochs : int
    clip : float, optional
        Clip the global gradient norm to this value (:func:`~rnnlib.optim.clip_by_norm`).
    truncate : int, optional
        Passed to the engine: truncated BPTT with chunks of ``truncate`` steps.
    progress : "auto", "text" or "none"
        "text": a line every ``print_every`` epochs (and at epoch 1) plus a summary line.
        "auto": the same, but on a terminal one line is rewritten in place with '\\r'.
        "none": silent.
    print_every : int, optional
        Default: about ten progress lines per run, ``ceil(max_epochs / 10)``.
    callback : callable, optional
        ``callback(epoch, loss, params)`` after every epoch; returning True stops training.
    seed : int
        Seed of the minibatch shuffling; the same seed gives the same history.

    Returns
    -------
    TrainResult

    Raises
    ------
    TrainingDiverged (an ArithmeticError)
        When the loss, a gradient or an updated parameter is NaN or Inf.
    """
    check_params(params)
    max_epochs = check_positive_int("max_epochs", max_epochs)
    if threshold is not None:
        threshold = check_positive_float("threshold", threshold)
    if clip is not None:
        clip = check_positive_float("clip", clip)
    check_choice("progress", progress, ("auto", "text", "none"))
    print_every = (math.ceil(max_epochs / 10) if print_every is None
                   else check_positive_int("print_every", print_every))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer; got {type(seed).__name__}")
    if not callable(engine):
        raise TypeError(f"engine must be callable like rnnlib.bptt; got {type(engine).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable (epoch, loss, params); got {type(callback).__name__}")
    if isinstance(optimizer, Optimizer):
        if lr is not None:
            raise ValueError("lr is set by the Optimizer object; pass lr only with an optimizer name")
        opt = optimizer
    elif isinstance(optimizer, str):
        opt = make_optimizer(optimizer, 0.1 if lr is None else lr)
    else:
        raise TypeError("optimizer must be a name or an rnnlib.optim.Optimizer; "
                        f"got {type(optimizer).__name__}")
    kw = {} if truncate is None else {"truncate": truncate}

    rng = np.random.default_rng(seed)
    show = _Progress(progress, print_every, max_epochs, sys.stdout)
    history, norms = [], []
    converged, reason = False, f"reached max_epochs = {max_epochs}"
    for epoch in range(1, max_epochs + 1):
        total, count, worst = 0.0, 0, 0.0
        for batch in _epoch_batches(data, ys, mask, rng, epoch):
            params, loss, norm = _step(params, batch, engine, opt, activation, output, clip, kw, epoch)
            B = 1 if np.ndim(batch[0]) == 2 else np.shape(batch[0])[1]
            total, count, worst = total + loss * B, count + B, max(worst, norm)
        epoch_loss = total / count
        history.append(epoch_loss)
        norms.append(worst)
        show.epoch(epoch, epoch_loss)
        stop = callback is not None and callback(epoch, epoch_loss, params) is True
        if threshold is not None and epoch_loss < threshold:                 # until convergence
            converged, reason = True, f"loss < threshold {threshold:g}"
            break
        if stop:
            reason = "stopped by callback"
            break
    result = TrainResult(params, np.array(history), len(history), converged, reason, np.array(norms))
    show.done(result)
    return result


__all__ = ["train", "TrainResult", "TrainingDiverged"]
