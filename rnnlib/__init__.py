"""rnnlib: the numerical core of "Backpropagation Through Time, Step by Step".

One concept per module, in the order of the book:

=================  ===================================================  ======================
module             what                                                  chapter
=================  ===================================================  ======================
params             Params, init_params                                   Forward pass
activations        h and h'                                              Forward pass
losses             softmax, cross-entropy, squared error                 Forward pass
forward            forward(), Trace                                      Forward pass
indices            Indices: one-hot inputs/targets given by position     Training
steps              per-step records of both passes (for steppers)        Worked example
bptt               reverse-mode BPTT (fast path), truncation             Reverse-mode BPTT
tensor_bptt        Ramkumar's forward-carried tensors (RTRL)             Tensor BPTT
qr                 Whitehill's q/r recursion                             q/r recursion
gradcheck          numerical_gradient, gradcheck, rel_error              every chapter
sources            each source's equations as written                    every source chapter
optim, train       optimizers, clipping, the training loop               Training
text, checkpoint   characters, autocompletion; .npz checkpoints          Training
widgets            time-step steppers (live and static)                  every chapter
exercises          automatic checks of the exercises                     every chapter
=================  ===================================================  ======================
"""
from . import checkpoint, data, steps
from .activations import h, h_prime
from .bptt import bptt
from .checkpoint import load as load_checkpoint
from .checkpoint import save as save_checkpoint
from .forward import Trace, forward
from .indices import Indices
from .gradcheck import GradCheck, gradcheck, loss, numerical_gradient, rel_error
from .losses import log_softmax, softmax
from .optim import (GD, OPTIMIZERS, Adagrad, Adam, Momentum, Optimizer, clip_by_norm, clip_by_value, gd,
                    make_optimizer)
from .params import Params, init_params
from .qr import qr_bptt
from .tensor_bptt import carried_tensors, tensor_bptt, tensor_bptt_einsum
from .text import Vocab, autocomplete, decode, encode, make_batch, sample
from .train import TrainingDiverged, TrainResult, train

__version__ = "0.1.0"

__all__ = [
    "Params", "init_params", "Indices", "forward", "Trace", "bptt", "tensor_bptt", "tensor_bptt_einsum",
    "carried_tensors", "qr_bptt", "loss", "numerical_gradient", "gradcheck", "GradCheck", "rel_error",
    "softmax", "log_softmax", "h", "h_prime",
    "gd", "make_optimizer", "Optimizer", "GD", "Momentum", "Adagrad", "Adam", "OPTIMIZERS",
    "clip_by_norm", "clip_by_value", "train", "TrainResult", "TrainingDiverged",
    "Vocab", "encode", "decode", "make_batch", "sample", "autocomplete",
    "checkpoint", "save_checkpoint", "load_checkpoint",
]
