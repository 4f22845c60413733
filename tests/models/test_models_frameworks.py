"""ONNX, PyTorch and custom Python predictors: export, signature, load, and the same outputs as the original."""

import os
import sys

import numpy as np
import pytest

from jhops.models import ArtifactNotFoundError, InputExampleError, ModelRegistryError
from jhops.models.frameworks import framework_for


def test_onnx_file_and_model_proto(registry, onnx_file, data):
    onnx = pytest.importorskip("onnx")
    path, clf = onnx_file
    x, _ = data
    mv = registry.export(path, "iceberg-onnx")
    assert (mv.framework, mv.artifact) == ("onnx", "clf.onnx")
    # from the graph: its input X, and both outputs, with the batch axis left open
    assert mv.signature == {
        "inputs": [{"name": "X", "dtype": "float32", "shape": [None, 4]}],
        "outputs": [{"name": "label", "dtype": "int64", "shape": [None]},
                    {"name": "probabilities", "dtype": "float32", "shape": [None, 2]}]}
    session = mv.load()
    label, probabilities = session.run(None, {"X": x})
    np.testing.assert_array_equal(label, clf.predict(x))
    np.testing.assert_allclose(probabilities, clf.predict_proba(x), atol=1e-6)
    out = mv.predictor().predict(x.astype("float64"))  # cast to the graph's float32
    np.testing.assert_array_equal(out["label"], label)
    np.testing.assert_array_equal(out["probabilities"], probabilities)

    proto = onnx.load(path)
    again = registry.export(proto, "iceberg-onnx", input_example=x[:2].astype("float64"))
    assert (again.version, again.artifact, again.signature) == (2, "model.onnx", mv.signature)
    with pytest.raises(InputExampleError, match=r"does not fit the model's declared inputs.*\[None, 4\]"):
        registry.export(proto, "iceberg-onnx", input_example=x[:2, :3])


@pytest.mark.filterwarnings(r"ignore:`torch\.jit:DeprecationWarning")  # this test's own torch.jit calls
def test_torch_module_scripted_traced_and_from_a_file(registry, tmp_path):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(4, 3)
            self.dropout = torch.nn.Dropout(0.5)

        def forward(self, x):
            return torch.softmax(self.dropout(self.linear(x)), dim=1)

    class NeedsTracing(Net):
        def forward(self, x, *extra):  # TorchScript cannot compile *args
            return super().forward(x)

    x = np.random.default_rng(0).normal(size=(6, 4)).astype("float32")
    for cls in (Net, NeedsTracing):
        net = cls()
        mv = registry.export(net, "iceberg-torch", input_example=x[:2])
        assert net.training  # exported in eval mode, handed back in training mode
        net.eval()
        with torch.no_grad():
            expected = net(torch.from_numpy(x)).numpy()
        assert (mv.framework, mv.artifact) == ("torch", "model.pt")
        assert mv.signature == {"inputs": [{"name": "input", "dtype": "float32", "shape": [None, 4]}],
                                "outputs": [{"name": "output", "dtype": "float32", "shape": [None, 3]}]}
        with torch.no_grad():
            np.testing.assert_allclose(mv.load()(torch.from_numpy(x)).numpy(), expected, rtol=1e-6)
        np.testing.assert_allclose(mv.predictor().predict(x), expected, rtol=1e-6)

    with pytest.raises(InputExampleError, match="tracing it needs an example: pass input_example"):
        registry.export(NeedsTracing(), "iceberg-torch")
    scripted = torch.jit.script(Net().eval())
    torch.jit.save(scripted, tmp_path / "net.pt")
    from_file = registry.export(tmp_path / "net.pt", "iceberg-torch", input_example=x[:2])
    assert (from_file.version, from_file.artifact) == (3, "net.pt")
    with torch.no_grad():
        np.testing.assert_allclose(from_file.predictor().predict(x), scripted(torch.from_numpy(x)).numpy())
    with pytest.raises(InputExampleError, match="could not run on input_example"):
        registry.export(Net(), "iceberg-torch", input_example=x[:2].astype("float64"))


def test_custom_python_predictor_from_a_file(registry, predictor_file, data):
    x, _ = data
    mv = registry.export(predictor_file, "iceberg-custom", framework="python", predictor_class="IcebergPredictor",
                         input_example=x[:2])
    assert (mv.framework, mv.artifact, mv.predictor_class) == ("python", "predictor.py", "IcebergPredictor")
    assert mv.signature["inputs"] == [{"name": "input", "dtype": "float32", "shape": [None, 4]}]
    assert mv.signature["outputs"] == [{"name": "output", "dtype": "float64", "shape": [None]}]
    expected = [float(np.mean(row)) for row in x[:3]]
    assert mv.load().predict(x[:3]) == expected
    assert mv.predictor().predict(x[:3]) == expected  # a list stays a list
    # told from the file, with its only predictor class
    assert registry.export(predictor_file, "iceberg-custom").predictor_class == "IcebergPredictor"


def test_custom_predictor_from_a_folder_reads_its_files(registry, predictor_file, data):
    x, _ = data
    folder = os.path.dirname(predictor_file)
    with open(os.path.join(folder, "scale.txt"), "w") as handle:
        handle.write("10")
    mv = registry.export(folder, "iceberg-custom", framework="python")
    assert mv.artifact == "custom/predictor.py"
    assert sorted(os.listdir(os.path.join(mv.path, "custom"))) == ["predictor.py", "scale.txt"]
    assert mv.predictor().predict(x[:2]) == pytest.approx([10 * float(np.mean(row)) for row in x[:2]])


def test_custom_predictor_from_a_class(registry, predictor_file, data, monkeypatch):
    x, _ = data
    monkeypatch.syspath_prepend(os.path.dirname(predictor_file))
    monkeypatch.delitem(sys.modules, "predictor", raising=False)
    from predictor import IcebergPredictor

    mv = registry.export(IcebergPredictor, "iceberg-custom", input_example=x[:2])
    assert (mv.framework, mv.artifact, mv.predictor_class) == ("python", "predictor.py", "IcebergPredictor")
    original = IcebergPredictor()
    original.load(os.path.dirname(predictor_file))
    assert mv.predictor().predict(x[:2]) == original.predict(x[:2])
    assert mv.provenance["source"] == "predictor.IcebergPredictor"


def test_custom_predictor_errors(registry, predictor_file, tmp_path):
    with pytest.raises(ModelRegistryError, match=r"no top-level class 'Nope' \(classes with predict: predictor.py: "
                                                 r"IcebergPredictor\)"):
        registry.export(predictor_file, "iceberg-custom", predictor_class="Nope")
    with pytest.raises(ModelRegistryError, match="no top-level class 'Helper'"):
        registry.export(predictor_file, "iceberg-custom", predictor_class="Helper")  # it has no predict

    class Local:
        def predict(self, inputs):
            return inputs

    with pytest.raises(ModelRegistryError, match="defined inside another class or function"):
        registry.export(Local, "iceberg-custom")
    broken = tmp_path / "broken.py"
    broken.write_text("import not_a_module_anywhere\n\nclass P:\n    def predict(self, x):\n        return x\n")
    with pytest.raises(ModelRegistryError, match=r"could not be loaded back.*not_a_module_anywhere"):
        registry.export(broken, "iceberg-custom")
    failing = tmp_path / "failing.py"
    failing.write_text("class P:\n    def predict(self, inputs):\n        raise RuntimeError('no GPU')\n")
    with pytest.raises(InputExampleError, match="RuntimeError: no GPU"):
        registry.export(failing, "iceberg-custom", input_example=[[1.0]])
    short = tmp_path / "short.py"
    short.write_text("class P:\n    def predict(self, inputs):\n        return [0]\n")
    with pytest.raises(InputExampleError, match="returned 1 predictions for the 2 instances"):
        registry.export(short, "iceberg-custom", input_example=[[1.0], [2.0]])
    assert registry.list_models() == []


def test_a_class_without_source_file_is_refused(registry):
    namespace: dict = {}
    exec("class Typed:\n    def predict(self, inputs):\n        return inputs\n", namespace)
    with pytest.raises(ArtifactNotFoundError, match="source file of Typed cannot be found"):
        registry.export(namespace["Typed"], "iceberg-custom")


def test_frameworks_are_told_from_paths_and_objects(tmp_path, classifier):
    saved_model = tmp_path / "export"
    saved_model.mkdir()
    (saved_model / "saved_model.pb").write_bytes(b"")
    assert framework_for(saved_model).name == "tensorflow"
    names = {f: framework_for(tmp_path / f).name for f in ("m.keras", "m.h5", "m.joblib", "m.pkl", "m.pt", "m.onnx",
                                                           "p.py")}
    assert names == {"m.keras": "keras", "m.h5": "keras", "m.joblib": "sklearn", "m.pkl": "sklearn", "m.pt": "torch",
                     "m.onnx": "onnx", "p.py": "python"}
    assert framework_for(classifier).name == "sklearn"


def test_the_registry_imports_no_framework_and_nothing_of_jupyter(tmp_path):
    import subprocess

    code = ("import sys, jhops.models; from jhops.models.frameworks import framework_for; framework_for('m.keras'); "
            f"jhops.models.get_model_registry({os.fspath(tmp_path)!r}).list_models(); "
            "print(sorted(m for m in ('tensorflow', 'keras', 'torch', 'sklearn', 'onnxruntime', 'IPython', 'tornado', "
            "'ipywidgets', 'jupyter_server') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "[]", result.stderr
