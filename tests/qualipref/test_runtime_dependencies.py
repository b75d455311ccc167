"""The portal runs with its runtime dependencies only: no code outside tests/ and bench/ imports a package that only
the ``dev`` extra of pyproject.toml installs (production, the Docker image and ``make run`` do not have them).

A package both extras need (PyYAML comes with drf-spectacular) is a runtime package. Two checks: every import
statement of the runtime code, those inside functions included (the ones that only fail when a user reaches
them); and every runtime module imported, settings loaded, in a process that refuses the dev-only packages.
"""

import ast
import contextlib
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from django.conf import settings
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_PACKAGES = ("config", *settings.QUALIPREF_APPS)
RUNTIME_FILES = ("manage.py", "gunicorn.conf.py")


def _name(requirement):
    return re.sub(r"[-_.]+", "-", Requirement(requirement).name).lower()


def _closure(requirements):
    """The distributions ``requirements`` install, with everything they require in turn."""
    seen, todo = set(), [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = _name(str(requirement))
        if name in seen or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            todo.extend(Requirement(text) for text in importlib.metadata.requires(name) or [])
    return seen


def dev_only_modules():
    """Top-level module names of the distributions only the ``dev`` extra brings."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dev_only = _closure(project["optional-dependencies"]["dev"]) - _closure(project["dependencies"])
    modules = set()
    for module, distributions in importlib.metadata.packages_distributions().items():
        if any(re.sub(r"[-_.]+", "-", dist).lower() in dev_only for dist in distributions):
            modules.add(module)
    return modules


def runtime_sources():
    for package in RUNTIME_PACKAGES:
        yield from sorted((ROOT / package).rglob("*.py"))
    for name in RUNTIME_FILES:
        yield ROOT / name


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def test_the_dev_only_packages_are_known():
    modules = dev_only_modules()
    # What the dev extra brings and production lacks, e.g. the PDF reader the tests use and the browser driver.
    assert {"pypdf", "pytest", "playwright", "factory", "time_machine"} <= modules
    # Runtime packages pulled by the dev extra too are not dev-only.
    assert not modules & {"yaml", "django", "packaging", "weasyprint"}


def test_no_runtime_code_imports_a_dev_only_package():
    dev_only = dev_only_modules()
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in runtime_sources()
        for line, module in imported_modules(path)
        if module in dev_only
    ]
    assert offenders == [], "runtime code imports dev-only packages:\n" + "\n".join(offenders)


IMPORT_EVERYTHING = """
import importlib, os, pkgutil, sys

refused = set(sys.argv[1].split(","))


class RefuseDevPackages:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in refused:
            raise ModuleNotFoundError(f"{name} is a dev-only package", name=name)
        return None


sys.meta_path.insert(0, RefuseDevPackages())
for name in list(sys.modules):
    if name.split(".")[0] in refused:
        del sys.modules[name]

import django

django.setup()
for package in sys.argv[2].split(","):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)
import config.wsgi, config.celery  # what gunicorn and the worker load
print("imported")
"""


def test_every_runtime_module_imports_without_the_dev_packages():
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, ",".join(sorted(dev_only_modules())), ",".join(RUNTIME_PACKAGES)],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "runtime-import-check",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0 and result.stdout.strip() == "imported", result.stderr[-3000:]
