"""Fashion-MNIST from the idx files of Debian's ``dataset-fashion-mnist`` package (or any folder of them).

Example::

    (x_train, y_train), (x_test, y_test) = load()          # uint8 images (n, 28, 28), int labels
"""

from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np
import numpy.typing as npt

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"
DIR_ENV = "JHOPS_FASHION_MNIST_DIR"
FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

Images = npt.NDArray[np.uint8]
Labels = npt.NDArray[np.int64]


def _read_idx(path: Path, dims: int) -> npt.NDArray[np.uint8]:
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    if magic != 0x0800 + dims:
        raise ValueError(f"{path} is not an idx file of {dims} dimension(s) (magic {magic:#x})")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: expected {int(np.prod(shape))} values, found {array.size}")
    return array.reshape(shape)


def folder() -> Path:
    """Where the files are: ``$JHOPS_FASHION_MNIST_DIR``, else Debian's package folder."""
    return Path(os.environ.get(DIR_ENV, DEFAULT_DIR))


def load_split(split: str = "train", directory: str | os.PathLike[str] | None = None) -> tuple[Images, Labels]:
    """Images (n, 28, 28) uint8 and labels (n,) of one split, ``"train"`` (60000) or ``"test"`` (10000)."""
    if split not in FILES:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    base = Path(directory) if directory is not None else folder()
    images_file, labels_file = (base / name for name in FILES[split])
    if not images_file.exists():
        raise FileNotFoundError(
            f"Fashion-MNIST is not at {base}: install Debian's package (apt-get install dataset-fashion-mnist) "
            f"or set {DIR_ENV} to a folder with the idx .gz files"
        )
    images, labels = _read_idx(images_file, 3), _read_idx(labels_file, 1).astype(np.int64)
    if len(images) != len(labels):
        raise ValueError(f"{len(images)} images but {len(labels)} labels in {base}")
    return images, labels


def load(directory: str | os.PathLike[str] | None = None) -> tuple[tuple[Images, Labels], tuple[Images, Labels]]:
    """``((x_train, y_train), (x_test, y_test))``, like ``keras.datasets.fashion_mnist.load_data()``."""
    return load_split("train", directory), load_split("test", directory)
