"""Smoke test of benchmarks/bench_bptt.py (chapter "Reverse-mode BPTT"): it runs and prints its table.

Only the parts that need no PyTorch are run (``--quick --no-torch``), in a subprocess with
one BLAS thread. No timing is asserted, ever: the machine running the tests may be busy.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_bptt.py"


def test_bench_bptt_quick_no_torch_runs_and_prints_its_table():
    env = {**os.environ, "PYTHONPATH": str(SCRIPT.parents[1])}
    proc = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-torch"], capture_output=True,
                          text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    assert "--no-torch: skipping every comparison with PyTorch" in out
    assert "rnnlib ms" in out and "torch ms" in out and "ratio" in out      # the table header
    assert "chars/s" in out                                                # the min-char-rnn section
    assert "Traceback" not in proc.stderr


def test_bench_bptt_rejects_a_bad_option():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--reps", "0", "--no-torch"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2
    assert "--reps" in proc.stderr
