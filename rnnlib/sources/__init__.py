"""Each source's equations as written, errors switchable by keyword flags (every source chapter).

==============  ====================================================  ======================================
module          source                                                chapters
==============  ====================================================  ======================================
ramkumar        000 + 002 Ramkumar: BPTT with Kronecker/reshape       The 2-3-2 worked example; Tensor BPTT
                tensors and a loss axis, PARAMETER_UPDATE
outline001      001 "RNN Algorithm Outline": W_x, W_h, W_y            Reverse-mode BPTT and sums over paths
khurana         003 Khurana: derivatives as sums over paths           Reverse-mode BPTT and sums over paths
whitehill       004 Whitehill: regression RNN, nested expansion, q/r  Whitehill's q/r recursion
errata          every error above, with computed evidence             Errata of the sources
==============  ====================================================  ======================================

Nothing here silently fixes a source: each error is on by default (or reachable through its
flag), and with every flag fixed each module agrees with :func:`rnnlib.bptt`.
"""
from . import errata, khurana, outline001, ramkumar, whitehill

__all__ = ["ramkumar", "outline001", "khurana", "whitehill", "errata"]
