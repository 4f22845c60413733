import gzip
import struct

import numpy as np
import pytest

from jhops.datasets import fashion_mnist


def _write_idx(path, array):
    dims = array.ndim
    header = struct.pack(">I", 0x0800 + dims) + struct.pack(">" + "I" * dims, *array.shape)
    with gzip.open(path, "wb") as f:
        f.write(header + array.astype(np.uint8).tobytes())


def test_reads_idx_files(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint32).reshape(2, 28, 28) % 256
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", images)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.array([3, 9]))
    x, y = fashion_mnist.load_split("test", tmp_path)
    assert x.shape == (2, 28, 28) and x.dtype == np.uint8 and (x == images).all()
    assert y.tolist() == [3, 9]


def test_wrong_or_missing_files_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        fashion_mnist.load_split("train", tmp_path)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros(5))  # a 1-d file where images belong
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(5))
    with pytest.raises(ValueError, match="not an idx file of 3 dimension"):
        fashion_mnist.load_split("test", tmp_path)
    with pytest.raises(ValueError, match="split must be"):
        fashion_mnist.load_split("validation", tmp_path)


@pytest.mark.skipif(not (fashion_mnist.folder() / "t10k-images-idx3-ubyte.gz").exists(),
                    reason="Debian's dataset-fashion-mnist is not installed (make installs it)")
def test_the_debian_package():
    x, y = fashion_mnist.load_split("test")
    assert x.shape == (10000, 28, 28) and sorted(set(y.tolist())) == list(range(10))
