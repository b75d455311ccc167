"""The apps depend one way: a module never imports an app of its own layer or of a layer above it.

The layers, lowest first, are those of docs/architecture.md. Every import of the code is read (the module level
and the lazy ones inside functions alike) from the source, so a test that fails names the file, the line and the
import that breaks the order. Migrations are left out: they name other apps only as strings in their
dependencies, which the migration graph checks itself.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import the apps of lower layers only; apps of one layer do not import one another.
LAYERS = [
    ["qualipref"],
    ["complaints", "delays", "surveys", "measures"],
    ["committee"],
    ["engagements"],
    ["evidence"],
    ["audits"],
    ["reports"],
    ["demo"],
    ["config"],
]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}


def source_files(app):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.relative_to(ROOT).parts:
            yield path


def imported_apps(path):
    """``(line, app, statement)`` for each import of one of our apps in the file, relative imports resolved."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = path.relative_to(ROOT).parts[:-1]  # the package the module (or the package's __init__) belongs to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                names = [".".join([*base, node.module] if node.module else base)]
            else:
                names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in RANK:
                yield node.lineno, top, ast.get_source_segment(source, node)


def edges():
    """Every import between two different apps: ``{(importer, imported): [where, …]}``."""
    found = {}
    for app in RANK:
        for path in source_files(app):
            for line, imported, statement in imported_apps(path):
                if imported != app:
                    found.setdefault((app, imported), []).append(f"{path.relative_to(ROOT)}:{line}: {statement}")
    return found


def test_every_app_of_the_layers_exists_and_every_app_is_in_a_layer():
    for app in RANK:
        assert (ROOT / app / "__init__.py").exists(), f"{app}/ is named in a layer but is not a package"
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests", "bench"}
    assert packages <= set(RANK), f"packages outside the layers: {sorted(packages - set(RANK))}"
    assert set(RANK) - {"config"} == set(settings.QUALIPREF_APPS), "the layers name the installed apps of ours"


@pytest.mark.parametrize("app", list(RANK))
def test_an_app_imports_only_lower_layers(app):
    wrong = [
        where
        for (importer, imported), places in edges().items()
        if importer == app and RANK[imported] >= RANK[app]
        for where in places
    ]
    assert not wrong, f"{app} (layer {RANK[app] + 1}) imports its own layer or a higher one:\n" + "\n".join(wrong)


def test_the_import_graph_between_apps_has_no_cycle():
    graph = {}
    for importer, imported in edges():
        graph.setdefault(importer, set()).add(imported)
    visiting, done = [], set()

    def visit(app):
        if app in visiting:
            cycle = visiting[visiting.index(app) :] + [app]
            pytest.fail("import cycle between apps: " + " → ".join(cycle))
        if app in done:
            return
        visiting.append(app)
        for imported in sorted(graph.get(app, ())):
            visit(imported)
        visiting.pop()
        done.add(app)

    for app in sorted(graph):
        visit(app)


def test_the_checker_sees_relative_lazy_and_aliased_imports(tmp_path, monkeypatch):
    """The reader itself: an import inside a function, a relative one and ``import x as y`` are all found."""
    package = tmp_path / "complaints" / "sub"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    module = package / "mod.py"
    module.write_text(
        "from .. import models\n"
        "import reports.models as report_models\n"
        "def later():\n"
        "    from engagements.services import x\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert [(line, app) for line, app, _ in imported_apps(module)] == [
        (1, "complaints"),
        (2, "reports"),
        (4, "engagements"),
    ]
