"""Tests for rnnlib.checkpoint: bit-exact round trips and refusal of bad files."""
import numpy as np
import pytest

from rnnlib import init_params
from rnnlib.checkpoint import load, save
from rnnlib.params import NAMES
from rnnlib.text import Vocab


def arrays_of(p):
    return {name: getattr(p, name) for name in NAMES}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_bit_exact(tmp_path, dtype):
    vocab = Vocab(["cat", "dog"])
    p = init_params(len(vocab), 7, len(vocab), seed=3, dtype=dtype)
    p = p.map(lambda x: x + np.asarray(np.pi / 7, dtype))            # non-round numbers in b and c too
    meta = {"epochs": 12, "lr": 0.05, "words": ["cat", "dog"], "note": "α"}
    path = save(tmp_path / "model.ckpt", p, vocab, meta)
    assert path == tmp_path / "model.ckpt" and path.exists()          # no .npz appended
    q, v, m = load(path)
    for name in NAMES:
        a, b = getattr(p, name), getattr(q, name)
        assert b.dtype == dtype and b.shape == a.shape
        assert a.tobytes() == b.tobytes()                              # bit-exact
    assert v == vocab and m == meta


def test_round_trip_without_vocab_and_meta(tmp_path):
    p = init_params(2, 3, 1)
    q, v, m = load(save(str(tmp_path / "m.npz"), p))
    assert v is None and m is None
    assert all(np.array_equal(a, b) for a, b in zip(p, q))


def test_file_holds_only_plain_arrays(tmp_path):
    vocab = Vocab(["ab"])
    path = save(tmp_path / "m.npz", init_params(3, 2, 3), vocab, {"k": 1})
    with np.load(path, allow_pickle=False) as z:
        assert set(z.files) == {*NAMES, "vocab", "meta"}
        assert z["vocab"].dtype.kind == "U" and z["vocab"].tolist() == [".", "a", "b"]
        assert z["meta"].dtype.kind == "U" and z["meta"].shape == (1,)


def test_corrupt_bytes(tmp_path):
    path = save(tmp_path / "m.npz", init_params(3, 8, 3, seed=1))
    data = bytearray(path.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 16] = bytes(b ^ 0xFF for b in data[mid:mid + 16])
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="m.npz.*not a valid rnnlib checkpoint"):
        load(path)


def test_truncated_and_garbage_files(tmp_path):
    path = save(tmp_path / "t.npz", init_params(3, 8, 3, seed=1))
    path.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="t.npz"):
        load(path)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file at all")
    with pytest.raises(ValueError, match="junk.npz.*not an .npz archive"):
        load(junk)
    npy = tmp_path / "single.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz archive"):
        load(npy)
    with pytest.raises(FileNotFoundError, match="nothere"):
        load(tmp_path / "nothere.npz")


def test_missing_key(tmp_path):
    arrays = arrays_of(init_params(2, 3, 2))
    del arrays["c"]
    path = tmp_path / "missing.npz"
    np.savez(path, meta=np.array(["null"]), **arrays)
    with pytest.raises(ValueError, match=r"missing.npz.*missing key\(s\) c"):
        load(path)


def test_wrong_shape(tmp_path):
    arrays = arrays_of(init_params(2, 3, 2))
    arrays["V"] = np.zeros((2, 4))                                    # N1 = 3 from W
    path = tmp_path / "shape.npz"
    np.savez(path, meta=np.array(["null"]), **arrays)
    with pytest.raises(ValueError, match=r"shape.npz.*Params.V must have shape \(2, 3\)"):
        load(path)


def test_bad_dtypes_vocab_and_meta(tmp_path):
    base = arrays_of(init_params(3, 3, 3))

    def write(name, **changes):
        arrays = {**base, "meta": np.array(["null"]), **changes}
        path = tmp_path / name
        np.savez(path, **arrays)
        return path

    with pytest.raises(ValueError, match="mixed dtypes"):
        load(write("mixed.npz", W=base["W"].astype(np.float32)))
    with pytest.raises(ValueError, match="int64"):
        load(write("int.npz", b=np.zeros(3, np.int64)))
    with pytest.raises(ValueError, match="NaN"):
        load(write("nan.npz", c=np.array([0.0, np.nan, 0.0])))
    with pytest.raises(ValueError, match="vocab has 4 characters"):
        load(write("vocab.npz", vocab=np.array([".", "a", "b", "c"])))
    with pytest.raises(ValueError, match="vocab"):
        load(write("vocab2.npz", vocab=np.array([".", "b", "a"])))
    with pytest.raises(ValueError, match="JSON"):
        load(write("meta.npz", meta=np.array(["{not json"])))
    with pytest.raises(ValueError, match="unexpected key"):
        load(write("extra.npz", extra=np.zeros(1)))


def test_pickle_is_refused(tmp_path):
    arrays = arrays_of(init_params(2, 3, 2))
    path = tmp_path / "pickled.npz"
    # np.savez pickles object arrays; load must refuse to unpickle them
    np.savez(path, meta=np.array([{"evil": 1}], dtype=object), **arrays)
    with pytest.raises(ValueError, match=r"pickled.npz.*'meta'.*object array"):
        load(path)


def test_save_bad_arguments(tmp_path):
    p = init_params(2, 3, 2)
    with pytest.raises(TypeError, match="meta"):
        save(tmp_path / "a.npz", p, meta={"f": object()})
    with pytest.raises(TypeError, match="meta"):
        save(tmp_path / "a.npz", p, meta=[1, 2])
    with pytest.raises(TypeError, match="vocab"):
        save(tmp_path / "a.npz", p, vocab=["a"])
    with pytest.raises(TypeError, match="params"):
        save(tmp_path / "a.npz", "params")
    with pytest.raises(ValueError, match="vocab has 3 characters"):
        save(tmp_path / "a.npz", p, vocab=Vocab(["ab"]))
