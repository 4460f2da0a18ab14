"""rnnlib: the numerical core of "Backpropagation Through Time, Step by Step".

One concept per module, in the order of the book:

=================  ===================================================  ======================
module             what                                                  chapter
=================  ===================================================  ======================
params             Params, init_params                                   Forward pass
activations        h and h'                                              Forward pass
losses             softmax, cross-entropy, squared error                 Forward pass
forward            forward(), Trace                                      Forward pass
bptt               reverse-mode BPTT (fast path), truncation             Reverse-mode BPTT
tensor_bptt        Ramkumar's forward-carried tensors (RTRL)             Tensor BPTT
qr                 Whitehill's q/r recursion                             q/r recursion
gradcheck          numerical_gradient, gradcheck, rel_error              every chapter
sources            each source's equations as written                    every source chapter
optim, train       optimizers, clipping, the training loop               Training
text, checkpoint   characters, autocompletion; .npz checkpoints          Training
=================  ===================================================  ======================
"""
from .activations import h, h_prime
from .bptt import bptt
from .forward import Trace, forward
from .gradcheck import GradCheck, gradcheck, loss, numerical_gradient, rel_error
from .losses import log_softmax, softmax
from .params import Params, init_params

__version__ = "0.1.0"

__all__ = [
    "Params", "init_params", "forward", "Trace", "bptt", "loss", "numerical_gradient",
    "gradcheck", "GradCheck", "rel_error", "softmax", "log_softmax", "h", "h_prime",
]
