"""The registry: export, versions, best model, listing, deleting, errors, and nothing left by a failed export."""

import json
import os
import pickle
import subprocess
import sys

import joblib
import numpy as np
import pytest
import sqlalchemy as sa

import jhops
from jhops import metadb
from jhops.models import (
    ArtifactNotFoundError,
    InputExampleError,
    MetricNotRecordedError,
    ModelNotFoundError,
    ModelRegistry,
    ModelRegistryError,
    ModelVersion,
    UnknownFrameworkError,
)
from jhops.project import Project


def test_sklearn_round_trip_and_the_model_json_contract(registry, classifier, data):
    x, _ = data
    mv = registry.export(classifier, "iceberg-sk", metrics={"accuracy": 0.9}, description="logistic regression",
                         input_example=x[:2])
    assert isinstance(mv, ModelVersion)
    assert (mv.name, mv.version, mv.framework, mv.artifact) == ("iceberg-sk", 1, "sklearn", "model.joblib")
    assert mv.path == os.path.join(registry.project.path, "models", "iceberg-sk", "1")
    assert sorted(os.listdir(mv.path)) == ["model.joblib", "model.json"]
    with open(os.path.join(mv.path, "model.json")) as handle:
        meta = json.load(handle)
    assert meta == {
        "name": "iceberg-sk", "version": 1, "framework": "sklearn", "artifact": "model.joblib",
        "predictor_class": None,
        # the example's dtype: scikit-learn keeps float32 inputs float32
        "signature": {"inputs": [{"name": "input", "dtype": "float32", "shape": [None, 4]}],
                      "outputs": [{"name": "output", "dtype": "float32", "shape": [None, 2]}]},
        "metrics": {"accuracy": 0.9}, "created": meta["created"]}
    back = registry.get_model("iceberg-sk")
    assert back == mv and back.description == "logistic regression"
    np.testing.assert_array_equal(back.load().predict_proba(x), classifier.predict_proba(x))
    np.testing.assert_array_equal(back.predictor().predict(x), classifier.predict_proba(x))


def test_estimator_files_saved_with_joblib_or_pickle(registry, classifier, data, tmp_path):
    x, _ = data
    joblib.dump(classifier, tmp_path / "clf.joblib")
    with open(tmp_path / "clf.pkl", "wb") as handle:
        pickle.dump(classifier, handle)
    for file in ("clf.joblib", "clf.pkl"):
        mv = registry.export(tmp_path / file, "iceberg-sk")
        assert (mv.framework, mv.artifact) == ("sklearn", file)
        assert mv.signature["inputs"][0]["shape"] == [None, 4]  # n_features_in_, without an input example
        np.testing.assert_array_equal(mv.load().predict(x), classifier.predict(x))
        assert mv.provenance["source"] == str(tmp_path / file)


def test_versions_count_up_per_name_and_get_model_takes_the_newest(registry, classifier):
    assert [registry.export(classifier, "a-model").version for _ in range(3)] == [1, 2, 3]
    assert registry.export(classifier, "b-model").version == 1
    assert registry.get_model("a-model").version == 3
    assert registry.get_model("a-model", 2).version == 2
    assert registry.export(classifier, "a-model", version=7).version == 7
    assert registry.export(classifier, "a-model").version == 8
    with pytest.raises(ModelRegistryError, match=r"version 2 exists already; leave version out to create version 9"):
        registry.export(classifier, "a-model", version=2)
    assert [(m.name, m.version) for m in registry.list_models()] == [
        ("a-model", 1), ("a-model", 2), ("a-model", 3), ("a-model", 7), ("a-model", 8), ("b-model", 1)]
    assert [m.version for m in registry.list_models("b-model")] == [1]


def test_best_model_in_both_directions(registry, classifier):
    for accuracy, loss in [(0.7, 0.5), (0.9, 0.4), (0.8, 0.2), (0.9, 0.3)]:
        registry.export(classifier, "iceberg-sk", metrics={"accuracy": accuracy, "loss": loss})
    registry.export(classifier, "iceberg-sk")  # no metrics: never the best
    assert registry.get_best_model("iceberg-sk", "accuracy").version == 4  # a tie goes to the newest
    assert registry.get_best_model("iceberg-sk", "accuracy", direction="min").version == 1
    assert registry.get_best_model("iceberg-sk", "loss", direction="min").version == 3
    assert jhops.models.get_best_model("iceberg-sk", "loss", project=registry.project).version == 1
    with pytest.raises(MetricNotRecordedError, match=r"recorded the metric 'f1'; the metrics recorded are "
                                                     r"\['accuracy', 'loss'\]"):
        registry.get_best_model("iceberg-sk", "f1")
    with pytest.raises(ModelRegistryError, match="direction must be 'max' or 'min'"):
        registry.get_best_model("iceberg-sk", "loss", direction="down")
    with pytest.raises(ModelNotFoundError):
        registry.get_best_model("nothing-here", "loss")


def test_unknown_model_or_version(registry, classifier):
    with pytest.raises(ModelNotFoundError, match=r"No model named 'ghost'\. No model is registered yet"):
        registry.get_model("ghost")
    registry.export(classifier, "iceberg-sk")
    with pytest.raises(LookupError, match=r"No model named 'ghost'. The registered models are: iceberg-sk"):
        registry.get_model("ghost")
    with pytest.raises(ModelNotFoundError, match=r"has no version 5; its versions are \[1\]"):
        registry.get_model("iceberg-sk", 5)
    with pytest.raises(ModelNotFoundError):
        registry.list_models("ghost")
    with pytest.raises(ModelNotFoundError):
        registry.delete_model("iceberg-sk", 5)


def test_framework_errors(registry, classifier, tmp_path):
    with pytest.raises(UnknownFrameworkError, match="Unknown framework 'caffe'; jhops stores keras, tensorflow"):
        registry.export(classifier, "iceberg-sk", framework="caffe")
    with pytest.raises(UnknownFrameworkError, match=r"Cannot tell the framework of a builtins\.dict"):
        registry.export({"weights": [1, 2]}, "iceberg-sk")
    (tmp_path / "weights.bin").write_bytes(b"\0")
    with pytest.raises(UnknownFrameworkError, match=r"Cannot tell the framework of the file .*weights\.bin"):
        registry.export(tmp_path / "weights.bin", "iceberg-sk")
    # a file of another framework than the one named cannot be loaded back
    with pytest.raises(ModelRegistryError, match="could not be loaded back"):
        registry.export(tmp_path / "weights.bin", "iceberg-sk", framework="sklearn")
    assert registry.export(classifier, "iceberg-sk", framework="scikit-learn").framework == "sklearn"
    with pytest.raises(ModelRegistryError, match="predictor_class is for custom Python predictors"):
        registry.export(classifier, "iceberg-sk", predictor_class="X")


def test_an_artifact_path_that_does_not_exist(registry, tmp_path):
    with pytest.raises(ArtifactNotFoundError, match=r"There is no file or folder at .*missing.keras"):
        registry.export(tmp_path / "missing.keras", "iceberg-cnn")


def test_names_versions_and_metrics_are_checked(registry, classifier):
    for bad in ["Iceberg", "ice berg", "1st", "-x", "x-", "a/b", "", "x" * 64]:
        with pytest.raises(ModelRegistryError, match="Invalid model name"):
            registry.export(classifier, bad)
    for bad_version in [0, -1, "2", 1.5, True]:
        with pytest.raises(ModelRegistryError, match="positive integer"):
            registry.export(classifier, "iceberg-sk", version=bad_version)
    for bad_metric in ["high", float("nan"), True, None]:
        with pytest.raises(ModelRegistryError, match="must be a finite number"):
            registry.export(classifier, "iceberg-sk", metrics={"accuracy": bad_metric})
    assert registry.export(classifier, "ship_classifier-2", metrics={"n": 3}).metrics == {"n": 3.0}


def test_an_input_example_the_model_cannot_run_on_leaves_nothing(registry, classifier, data, leftovers):
    x, _ = data
    with pytest.raises(InputExampleError, match=r"could not run on input_example \(shape \(2, 3\), dtype float32\)"):
        registry.export(classifier, "iceberg-sk", input_example=x[:2, :3])
    assert leftovers() == []
    with registry.project.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(metadb.models)).scalar() == 0
    assert registry.export(classifier, "iceberg-sk").version == 1  # the number was not used up


def test_a_failed_copy_leaves_nothing(registry, classifier, tmp_path, monkeypatch, leftovers):
    joblib.dump(classifier, tmp_path / "clf.joblib")
    registry.export(classifier, "iceberg-sk")

    def broken_copy(source, target):
        open(target, "wb").close()  # half a file, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("jhops.models.registry.shutil.copy2", broken_copy)
    with pytest.raises(OSError, match="No space left"):
        registry.export(tmp_path / "clf.joblib", "iceberg-sk")
    with pytest.raises(OSError):
        registry.export(tmp_path / "clf.joblib", "other-model")
    assert sorted(leftovers()) == ["iceberg-sk", "iceberg-sk/1", "iceberg-sk/1/model.joblib",
                                   "iceberg-sk/1/model.json"]
    assert [(m.name, m.version) for m in registry.list_models()] == [("iceberg-sk", 1)]


def test_a_failed_database_write_leaves_no_folder(registry, classifier, monkeypatch, leftovers):
    def broken_insert(conn, fields):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(registry.catalog, "insert", broken_insert)
    with pytest.raises(sa.exc.OperationalError):
        registry.export(classifier, "iceberg-sk")
    assert leftovers() == []


def test_list_and_delete(registry, classifier):
    for _ in range(3):
        registry.export(classifier, "iceberg-sk")
    path = registry.get_model("iceberg-sk", 2).path
    registry.delete_model("iceberg-sk", 2)
    assert not os.path.exists(path)
    assert [m.version for m in registry.list_models("iceberg-sk")] == [1, 3]
    assert registry.export(classifier, "iceberg-sk").version == 4  # numbers are never reused
    for version in (1, 3, 4):
        jhops.models.delete_model("iceberg-sk", version, project=registry.project)
    assert registry.list_models() == []
    assert os.listdir(os.path.join(registry.project.path, "models")) == []


def test_to_dict_is_json_and_repr_says_what_it_is(registry, classifier, data):
    x, _ = data
    mv = registry.export(classifier, "iceberg-sk", metrics={"accuracy": 0.91234}, input_example=x[:2])
    data_ = json.loads(json.dumps(mv.to_dict()))
    assert data_["name"] == "iceberg-sk" and data_["version"] == 1 and data_["framework"] == "sklearn"
    assert data_["signature"]["inputs"][0]["shape"] == [None, 4]
    assert data_["path"] == mv.path and data_["artifact"] == "model.joblib"
    assert set(data_["provenance"]) == {"experiment_id", "trial_id", "training_dataset", "feature_groups", "source"}
    assert repr(mv) == "ModelVersion('iceberg-sk', version=1, framework='sklearn', metrics: accuracy=0.9123)"
    assert repr(registry) == f"ModelRegistry({registry.project.path!r})"


def test_the_module_api_and_the_project_method(project, classifier, monkeypatch):
    assert jhops.models is sys.modules["jhops.models"]
    assert "models" in jhops.__all__
    assert isinstance(Project(project.path).get_model_registry(), ModelRegistry)
    mv = jhops.models.export(classifier, "iceberg-sk")  # $JHOPS_PROJECT, set by the project fixture
    assert mv.path.startswith(project.path)
    assert jhops.models.get_model("iceberg-sk", project=project.path).version == 1
    assert [m.name for m in jhops.models.list_models()] == ["iceberg-sk"]


def test_a_remote_project_is_refused_clearly():
    project = Project("memory://jhops-models-test", db_url="sqlite://")
    with pytest.raises(ModelRegistryError, match="keeps models on the local disk"):
        project.get_model_registry()


def test_another_process_reads_the_model_from_the_database_and_the_disk(registry, onnx_file, data):
    path, clf = onnx_file
    x, _ = data
    registry.export(path, "iceberg-onnx", metrics={"accuracy": 0.9})
    np.save(os.path.join(registry.project.path, "x.npy"), x[:3])
    script = (
        "import json, os, numpy as np, jhops\n"
        "mv = jhops.models.get_model('iceberg-onnx')\n"
        "x = np.load(os.path.join(os.environ['JHOPS_PROJECT'], 'x.npy'))\n"
        "out = jhops.models.load_predictor(mv.path).predict(x)\n"
        "print(json.dumps({'version': mv.version, 'metrics': mv.metrics, 'framework': mv.framework,\n"
        "                  'probabilities': out['probabilities'].tolist()}))\n"
    )
    env = {**os.environ, "JHOPS_PROJECT": registry.project.path}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert (answer["version"], answer["metrics"], answer["framework"]) == (1, {"accuracy": 0.9}, "onnx")
    np.testing.assert_allclose(answer["probabilities"], clf.predict_proba(x[:3]), atol=1e-6)


def test_two_processes_exporting_at_once_get_different_versions(registry, predictor_file):
    script = ("import sys, jhops\n"
              "for _ in range(4):\n"
              "    jhops.models.export(sys.argv[1], 'iceberg-custom', metrics={'n': float(sys.argv[2])})\n")
    env = {**os.environ, "JHOPS_PROJECT": registry.project.path}
    runs = [subprocess.Popen([sys.executable, "-c", script, predictor_file, str(i)], env=env, stderr=subprocess.PIPE,
                             text=True) for i in range(2)]
    for run in runs:
        assert run.wait(timeout=120) == 0, run.stderr.read() if run.stderr else ""
    versions = registry.list_models("iceberg-custom")
    assert [m.version for m in versions] == list(range(1, 9))
    assert sorted(m.metrics["n"] for m in versions) == [0.0] * 4 + [1.0] * 4
    for mv in versions:
        with open(os.path.join(mv.path, "model.json")) as handle:
            assert json.load(handle)["version"] == mv.version


def test_an_export_shows_its_steps_and_can_be_quiet(registry, classifier, data, capsys, monkeypatch):
    x, _ = data
    monkeypatch.setattr("jhops.progress_bar.DELAY_S", 0.0)  # the bar at once, not after two seconds
    registry.export(classifier, "iceberg-sk", input_example=x[:2])
    assert "export iceberg-sk (done): 3/3" in capsys.readouterr().err  # write, signature, register
    with pytest.raises(InputExampleError):
        registry.export(classifier, "iceberg-sk", input_example=x[:2, :3])
    assert "export iceberg-sk (failed at signature)" in capsys.readouterr().err
    jhops.models.export(classifier, "iceberg-sk", input_example=x[:2], project=registry.project, progress=False)
    monkeypatch.setenv("JHOPS_PROGRESS", "0")
    registry.export(classifier, "iceberg-sk", input_example=x[:2])
    assert capsys.readouterr().err == ""
    assert [mv.version for mv in registry.list_models("iceberg-sk")] == [1, 2, 3]
