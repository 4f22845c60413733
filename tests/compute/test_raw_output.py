import os
import subprocess
import sys

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
