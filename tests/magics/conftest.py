"""One IPython shell with jhops loaded for the magics tests (IPython's test shell is a process-wide singleton)."""

import pytest
from IPython.testing.globalipapp import get_ipython


@pytest.fixture(scope="session")
def ip():
    shell = get_ipython()
    shell.run_line_magic("load_ext", "jhops")
    return shell
