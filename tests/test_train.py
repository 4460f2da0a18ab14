"""Tests for rnnlib.train: the repeat {FORWARD; BPTT; UPDATE} until convergence loop."""
import numpy as np
import pytest

import rnnlib
from rnnlib import init_params
from rnnlib.optim import gd, make_optimizer
from rnnlib.train import TrainResult, TrainingDiverged, train


def echo_task(T=5, B=4, seed=0):
    """Predict the previous input symbol (learnable: it needs one step of memory)."""
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, 3, size=(T, B))
    xs = np.eye(3)[idx]                                   # (T, B, 3)
    prev = np.concatenate([np.zeros((1, B), int), idx[:-1]])
    ys = np.eye(3)[prev]                                  # (T, B, 3)
    return xs, ys


def test_loss_decreases_on_learnable_problem():
    xs, ys = echo_task()
    p = init_params(3, 8, 3, seed=0)
    r = train(p, xs, ys, optimizer="adam", lr=0.05, max_epochs=150, progress="none")
    assert isinstance(r, TrainResult)
    assert r.history.shape == (150,) and r.epochs == 150 and not r.converged
    assert r.history[-1] < 0.2 * r.history[0]
    assert rnnlib.loss(r.params, xs, ys) < r.history[0]


def test_first_epoch_is_the_sources_loop():
    # one epoch = FORWARD + BPTT (rnnlib.bptt) + PARAMETER_UPDATE θ := θ - α ∂L/∂θ
    xs, ys = echo_task()
    p = init_params(3, 4, 3, seed=3)
    r = train(p, xs, ys, lr=0.2, max_epochs=2, progress="none")
    loss0, g0 = rnnlib.bptt(p, xs, ys)
    p1 = gd(p, g0, 0.2)
    loss1, g1 = rnnlib.bptt(p1, xs, ys)
    p2 = gd(p1, g1, 0.2)
    np.testing.assert_allclose(r.history, [loss0, loss1], rtol=1e-13)
    for a, b in zip(r.params, p2):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(r.grad_norms[0], g0.norm(), rtol=1e-13)


def test_threshold_stops_early():
    xs, ys = echo_task()
    p = init_params(3, 8, 3, seed=0)
    full = train(p, xs, ys, optimizer="adam", lr=0.05, max_epochs=150, progress="none")
    thr = float(full.history[60])
    r = train(p, xs, ys, optimizer="adam", lr=0.05, max_epochs=150, threshold=thr, progress="none")
    first_below = int(np.argmax(full.history < thr)) + 1
    assert r.converged and r.epochs == first_below < 150
    assert r.history[-1] < thr and np.all(r.history[:-1] >= thr)
    assert "threshold" in r.reason


def test_max_epochs_bound():
    xs, ys = echo_task()
    r = train(init_params(3, 4, 3), xs, ys, max_epochs=7, threshold=1e-12, progress="none")
    assert r.epochs == 7 and len(r.history) == 7 and not r.converged and "max_epochs" in r.reason


def test_divergence_raises_with_epoch_and_hint():
    rng = np.random.default_rng(0)
    xs, ys = rng.normal(size=(6, 4, 2)), rng.normal(size=(6, 4, 1))
    p = init_params(2, 4, 1, seed=0)
    with pytest.raises(TrainingDiverged, match=r"epoch \d+.*lower lr") as info:
        train(p, xs, ys, activation="identity", output="identity", lr=1e3, max_epochs=100, progress="none")
    assert isinstance(info.value, ArithmeticError)
    # the same problem with a small lr and clipping trains without error
    r = train(p, xs, ys, activation="identity", output="identity", lr=0.01, clip=1.0, max_epochs=20,
              progress="none")
    assert np.all(np.isfinite(r.history))


def test_clip_caps_every_update():
    xs, ys = echo_task()
    p = init_params(3, 4, 3, seed=0)
    r = train(p, xs, ys, lr=1.0, clip=1e-3, max_epochs=3, progress="none")
    step = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(r.params, p)))
    assert step <= 3 * 1.0 * 1e-3 * (1 + 1e-9)
    assert np.all(r.grad_norms > 1e-3)                   # norms are recorded before clipping


def minibatches(seed=0, n=5):
    out = []
    for i in range(n):
        xs, ys = echo_task(T=4, B=3, seed=seed + i)
        out.append((xs, ys, np.ones((4, 3))))
    return out


def test_minibatches_same_seed_same_history():
    p = init_params(3, 6, 3, seed=0)
    batches = minibatches()
    kw = dict(optimizer="momentum", lr=0.1, max_epochs=15, progress="none")
    r1 = train(p, batches, seed=7, **kw)
    r2 = train(p, batches, seed=7, **kw)
    r3 = train(p, batches, seed=8, **kw)
    np.testing.assert_array_equal(r1.history, r2.history)
    for a, b in zip(r1.params, r2.params):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(r1.history, r3.history)     # the seed changes the visiting order


def test_minibatch_epoch_loss_is_weighted_mean_before_updates():
    p = init_params(3, 6, 3, seed=0)
    batches = minibatches(n=2)
    r = train(p, batches, lr=0.1, max_epochs=1, progress="none", seed=0)
    order = np.random.default_rng(0).permutation(2)
    q, losses = p, []
    for i in order:
        xs, ys, mask = batches[i]
        loss, grads = rnnlib.bptt(q, xs, ys, mask=mask)
        losses.append(loss)
        q = gd(q, grads, 0.1)
    assert r.history[0] == pytest.approx(np.mean(losses), rel=1e-13)     # equal batch sizes


def test_callable_data_and_tuple_forms():
    xs, ys = echo_task()
    p = init_params(3, 4, 3, seed=0)
    seen = []

    def data(epoch, rng):
        seen.append(epoch)
        return [(xs, ys)]

    r1 = train(p, data, max_epochs=3, progress="none")
    r2 = train(p, (xs, ys), max_epochs=3, progress="none")
    r3 = train(p, xs, ys, mask=np.ones(xs.shape[:2]), max_epochs=3, progress="none")
    assert seen == [1, 2, 3]
    np.testing.assert_array_equal(r1.history, r2.history)
    np.testing.assert_array_equal(r1.history, r3.history)


def test_optimizer_object_and_callback():
    xs, ys = echo_task()
    p = init_params(3, 4, 3, seed=0)
    opt = make_optimizer("adam", 0.01)
    calls = []
    r = train(p, xs, ys, optimizer=opt, max_epochs=10, progress="none",
              callback=lambda e, loss, params: calls.append(e) or e == 4)
    assert calls == [1, 2, 3, 4] and r.epochs == 4 and r.reason == "stopped by callback"
    assert opt.t == 4
    with pytest.raises(ValueError, match="lr"):
        train(p, xs, ys, optimizer=opt, lr=0.1)


def test_truncate_is_passed_to_engine():
    xs, ys = echo_task(T=6)
    p = init_params(3, 4, 3, seed=0)
    r = train(p, xs, ys, truncate=2, max_epochs=1, progress="none")
    _, g = rnnlib.bptt(p, xs, ys, truncate=2)
    np.testing.assert_allclose(r.grad_norms[0], g.norm(), rtol=1e-13)


def test_progress_none_is_silent(capsys):
    xs, ys = echo_task()
    train(init_params(3, 4, 3), xs, ys, max_epochs=30, progress="none")
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("mode", ["text", "auto"])
def test_progress_text_prints_bounded_lines(capsys, mode):
    xs, ys = echo_task()
    r = train(init_params(3, 4, 3), xs, ys, max_epochs=200, progress=mode)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert 2 <= len(lines) <= 12                          # ~10 periodic lines + a summary
    assert "\r" not in out                                # captured output is not a terminal
    assert lines[-1].startswith("done: 200 epochs") and f"{r.loss:.4f}" in lines[-1]
    assert lines[0].startswith("epoch   1/200")


def test_progress_print_every(capsys):
    xs, ys = echo_task()
    train(init_params(3, 4, 3), xs, ys, max_epochs=20, progress="text", print_every=5)
    lines = capsys.readouterr().out.splitlines()
    assert [ln.split()[1] for ln in lines[:-1]] == ["1/20", "5/20", "10/20", "15/20", "20/20"]


def test_repr_is_rounded():
    xs, ys = echo_task()
    r = train(init_params(3, 4, 3), xs, ys, max_epochs=3, progress="none")
    text = repr(r)
    assert text.startswith("TrainResult(epochs=3, loss ") and f"{r.history[0]:.4g}" in text
    assert str(r.history[0]) not in text                  # not the full-precision float


def test_bad_arguments():
    xs, ys = echo_task()
    p = init_params(3, 4, 3)
    with pytest.raises(ValueError, match="max_epochs"):
        train(p, xs, ys, max_epochs=0)
    with pytest.raises(ValueError, match="threshold"):
        train(p, xs, ys, threshold=-1.0)
    with pytest.raises(ValueError, match="lr"):
        train(p, xs, ys, lr=0.0)
    with pytest.raises(ValueError, match="clip"):
        train(p, xs, ys, clip=0.0)
    with pytest.raises(ValueError, match="progress"):
        train(p, xs, ys, progress="tqdm")
    with pytest.raises(ValueError, match="optimizer"):
        train(p, xs, ys, optimizer="rmsprop")
    with pytest.raises(TypeError, match="ys is missing"):
        train(p, xs)
    with pytest.raises(TypeError, match="minibatch"):
        train(p, [xs, ys, xs])
    with pytest.raises(ValueError, match="xs"):
        train(p, xs[..., :2], ys)
    with pytest.raises(TypeError, match="params"):
        train("p", xs, ys)


def test_progress_auto_on_terminal_rewrites_one_line(monkeypatch):
    import io
    import sys

    class Tty(io.StringIO):
        def isatty(self):
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stdout", fake)
    xs, ys = echo_task()
    train(init_params(3, 4, 3), xs, ys, max_epochs=50, progress="auto")
    out = fake.getvalue()
    assert out.count("\r") == 11 and out.count("\n") == 2   # epochs 1, 5, ..., 50 on one line; summary
    assert out.splitlines()[-1].startswith("done: 50 epochs")
