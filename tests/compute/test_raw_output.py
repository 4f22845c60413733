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


def test_a_quiet_import_keeps_native_banners_out_of_the_cell(tmp_path, capfd, monkeypatch):
    # What jhops does where it, not the user, is the first to load TensorFlow (registering a .keras file, tf_data).
    (tmp_path / "noisy_native.py").write_text(NOISY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("JHOPS_VERBOSE", raising=False)
    monkeypatch.setattr(raw_output.tempfile, "gettempdir", lambda: str(tmp_path))
    try:
        module = raw_output.import_quietly("noisy_native")
        assert module.__name__ == "noisy_native"
        err = capfd.readouterr().err
        assert "oneDNN" not in err and "a Python warning the user should still see" in err
        assert "oneDNN custom operations are on" in tail(raw_output.native_output_log())
        raw_output.import_quietly("noisy_native")  # imported already: nothing runs again
    finally:
        sys.modules.pop("noisy_native", None)


def test_a_quiet_import_is_loud_when_verbose(tmp_path, capfd, monkeypatch):
    (tmp_path / "noisy_verbose.py").write_text(NOISY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("JHOPS_VERBOSE", "1")
    try:
        raw_output.import_quietly("noisy_verbose")
        assert "oneDNN custom operations are on" in capfd.readouterr().err
    finally:
        sys.modules.pop("noisy_verbose", None)
