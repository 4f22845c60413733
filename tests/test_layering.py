"""The layering rule, as import-linter contracts (``[tool.importlinter]`` in pyproject.toml): domain packages never
import Jupyter, tornado, IPython or ipywidgets, nor the adapters; ``compute`` never imports ``experiments``.

The contracts hold for jhops; a copy of jhops with a violation planted breaks the contract it should (indirect
imports included); and every module of jhops is either a domain module the contracts check or a named adapter.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import jhops

if sys.version_info >= (3, 11):
    import tomllib
else:  # import-linter depends on tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(jhops.__file__).parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in CONFIG["contracts"]}
#: what the domain packages may not import: the thin adapters over them
ADAPTERS = {"jhops.magics", "jhops.widgets", "jhops.server", "jhops.cli", "jhops.demo"}
#: neither domain nor adapter: the root package (public names, Jupyter entry points) and the built version
OTHERS = {"jhops", "jhops._version"}


def lint_imports(package_parent: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the ``jhops`` package found in ``package_parent``."""
    command = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command as c; "
               "sys.exit(c())", str(config), "--no-cache"]
    env = {"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, cwd=package_parent, env=env, capture_output=True, text=True, timeout=120)


def test_jhops_keeps_the_contracts():
    result = lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_every_module_is_a_checked_domain_module_or_a_named_adapter():
    domain = set(CONTRACTS["domain-without-frameworks"]["source_modules"])
    assert set(CONTRACTS["domain-without-adapters"]["source_modules"]) == domain
    assert set(CONTRACTS["domain-without-adapters"]["forbidden_modules"]) == ADAPTERS
    modules = {f"jhops.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    modules |= {f"jhops.{p.parent.name}" for p in PACKAGE.glob("*/__init__.py")}
    unclassified = sorted(modules - domain - ADAPTERS - OTHERS)
    assert not unclassified, (f"add {unclassified} to the domain packages of [tool.importlinter] in "
                              "pyproject.toml (or to ADAPTERS here, if it is a thin adapter)")
    assert not (domain - modules), f"the contracts name modules that do not exist: {sorted(domain - modules)}"


#: planted files (path below the package: code) and the contract each plant must break
PLANTS = {
    "domain-without-frameworks": {  # indirect, through a module outside the domain: models -> jhops.planted -> tornado
        "models/planted.py": "import jhops.planted\n",
        "planted.py": "import tornado.web\n",
    },
    "domain-without-adapters": {  # an import inside a function counts too
        "serving/planted.py": "def show():\n    from jhops.widgets import monitor_view\n",
    },
    "compute-without-experiments": {
        "compute/planted.py": "from jhops.experiments import records\n",
    },
}


@pytest.mark.parametrize("contract", sorted(PLANTS))
def test_a_planted_violation_breaks_its_contract(tmp_path, contract):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "jhops", ignore=shutil.ignore_patterns("labextension", "__pycache__"))
    for relative, code in PLANTS[contract].items():
        (copy / "jhops" / relative).write_text(code)
    config = tmp_path / "pyproject.toml"
    shutil.copy(ROOT / "pyproject.toml", config)

    result = lint_imports(copy, config)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = {c["id"] for c in CONFIG["contracts"] if f"{c['name']} BROKEN" in result.stdout}
    assert contract in broken, result.stdout
    planted = next(iter(PLANTS[contract])).removesuffix(".py").replace("/", ".")
    assert f"jhops.{planted} ->" in result.stdout  # the report names the module that broke it
