import os
import subprocess
import sys

from jhops.compute import raw_output
from jhops.compute.raw_output import raw_output_to, tail


def test_raw_output_goes_to_the_file_with_the_processes_started_meanwhile(tmp_path, capfd):
    log = tmp_path / "raw.log"
    with raw_output_to(str(log), fds=(2,), keep_python_streams=True):
        os.write(2, b"C++ banner on descriptor 2\n")
        print("a progress bar on sys.stderr", file=sys.stderr)
        child = subprocess.Popen([sys.executable, "-c", "import os, time; time.sleep(0.5); "
                                                        "os.write(2, b'the child, after the block\\n')"])
    os.write(2, b"this process again\n")
    child.wait()
    err = capfd.readouterr().err
    assert tail(str(log)).splitlines() == ["C++ banner on descriptor 2", "the child, after the block"]
    assert "a progress bar on sys.stderr" in err and "this process again" in err and "banner" not in err
    assert tail(str(tmp_path / "missing.log")) == ""


NOISY = '''
import os, sys
os.write(2, b"oneDNN custom operations are on. You may see slightly different numerical results\\n")
print("a Python warning the user should still see", file=sys.stderr)
'''


def test_a_quiet_import_keeps_native_banners_out_of_the_cell(tmp_path):
    # What jhops does where it, not the user, is the first to load TensorFlow (registering a .keras file, tf_data,
    # the example's training) in a kernel, whose descriptor 2 is a pipe to the cell.
    (tmp_path / "noisy_native.py").write_text(NOISY)
    script = ("from jhops.compute.raw_output import import_quietly, native_output_log\n"
              "import_quietly('noisy_native'); import_quietly('noisy_native')\n"
              "print(native_output_log())")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]), "TMPDIR": str(tmp_path)}
    env.pop("JHOPS_VERBOSE", None)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    assert "oneDNN" not in done.stderr and "a Python warning the user should still see" in done.stderr
    log = done.stdout.strip()
    assert log.startswith(str(tmp_path)) and "oneDNN custom operations are on" in tail(log)


def test_a_quiet_import_is_loud_when_verbose(tmp_path, capfd, monkeypatch):
    (tmp_path / "noisy_verbose.py").write_text(NOISY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("JHOPS_VERBOSE", "1")
    try:
        raw_output.import_quietly("noisy_verbose")
        assert "oneDNN custom operations are on" in capfd.readouterr().err
    finally:
        sys.modules.pop("noisy_verbose", None)


def test_a_quiet_import_leaves_native_output_in_a_log_file_it_already_goes_to(tmp_path, monkeypatch):
    # A worker's descriptor 2 is its log: TensorFlow's banners belong there, not in a second file.
    (tmp_path / "noisy_worker.py").write_text(NOISY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("JHOPS_VERBOSE", raising=False)
    monkeypatch.setattr(raw_output.tempfile, "gettempdir", lambda: str(tmp_path))
    worker_log = tmp_path / "worker-0.log"
    try:
        with raw_output_to(str(worker_log), fds=(2,)):
            raw_output.import_quietly("noisy_worker")
        assert "oneDNN custom operations are on" in tail(str(worker_log))
        assert not os.path.exists(raw_output.native_output_log())
    finally:
        sys.modules.pop("noisy_worker", None)
