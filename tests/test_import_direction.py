"""The house reads top-down: interfaces call domain apps, domain apps call infrastructure
and pure modules, never the reverse.

Every module under ``tierdesk/`` is parsed with ``ast`` (imports inside functions, relative
imports and ``import_module("tierdesk...")`` included). A domain app is every tierdesk
package that is not listed below as an interface, infrastructure or pure, so a new app
(``search``, ``kb``, ``channels``...) is covered the day it is added.
"""

import ast
from pathlib import Path

import pytest

import tierdesk

ROOT = Path(tierdesk.__file__).parent

INTERFACES = {"api", "web", "cli", "urls", "wsgi", "asgi", "web_server", "demo"}
# Infrastructure, lowest first: each may import the pure modules and those before it.
INFRASTRUCTURE = ("common", "celery", "jobs", "outbox", "settings")
PURE = {"calendars", "policy", "clock"}
# Inside a domain app, the modules that are themselves interfaces (its router, its pages).
APP_INTERFACE_MODULES = {"api", "views", "urls", "admin"}


def _units() -> dict[str, Path]:
    """Top-level part of the tierdesk tree -> its path (packages and plain modules)."""
    units = {}
    for path in ROOT.iterdir():
        if path.is_dir() and (path / "__init__.py").exists():
            units[path.name] = path
        elif path.suffix == ".py" and path.name != "__init__.py":
            units[path.stem] = path
    return units


UNITS = _units()
DOMAIN = set(UNITS) - INTERFACES - set(INFRASTRUCTURE) - PURE


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module ``source`` imports, anywhere in it, as absolute dotted names.

    ``from tierdesk import clock`` yields both ``tierdesk`` and ``tierdesk.clock``.
    """
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", None))
              in {"import_module", "__import__"}):
            found.add(node.args[0].value)
    return found


def _tierdesk_units(imports: set[str]) -> set[str]:
    """The top-level tierdesk parts among ``imports`` (``tierdesk.sla.sweep`` -> ``sla``)."""
    return {name.split(".")[1] for name in imports
            if name.startswith("tierdesk.") and name.split(".")[1] in UNITS}


def _modules_of(unit: str) -> list[tuple[str, Path]]:
    path = UNITS[unit]
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [(_module_name(f), f) for f in files]


def _imports_by_module(units) -> dict[str, set[str]]:
    return {name: imported_modules(f.read_text(), name, is_package=f.name == "__init__.py")
            for unit in units for name, f in _modules_of(unit)}


def _violations(units, allowed_for) -> list[str]:
    bad = []
    for unit in units:
        allowed = allowed_for(unit) | {unit}
        for name, imports in _imports_by_module([unit]).items():
            for target in sorted(_tierdesk_units(imports) - allowed):
                bad.append(f"{name} imports tierdesk.{target}")
    return bad


def test_the_domain_apps_are_everything_not_listed_as_another_layer():
    assert {"tickets", "sla", "rules", "escalation", "integrations", "incidents", "packs",
            "people", "customers"} <= DOMAIN
    assert {"common", "jobs", "outbox", "calendars", "policy", "cli", "api"} <= set(UNITS)


def test_infrastructure_imports_no_domain_app_nor_interface():
    """``common``, ``celery``, ``jobs``, ``outbox`` and ``settings`` import only pure
    modules and the infrastructure below them: common, then jobs, then the outbox
    (which kicks jobs). Domains register their handlers and jobs with them instead."""
    def allowed(unit: str) -> set[str]:
        return PURE | set(INFRASTRUCTURE[: INFRASTRUCTURE.index(unit)])

    assert _violations(INFRASTRUCTURE, allowed) == []


def test_calendars_and_policy_import_nothing_from_django_or_the_apps():
    assert _violations(PURE, lambda unit: PURE) == []
    frameworks = [f"{name} imports {target}"
                  for name, imports in _imports_by_module(PURE).items()
                  for target in sorted(imports)
                  if target.split(".")[0] in {"django", "ninja", "celery"}]
    assert frameworks == []


def test_domain_apps_never_import_an_interface():
    """Only an app's own router or pages (api.py, views.py...) may use the api/web packages;
    no domain module reaches up to the CLI, the demo loader or the URL map."""
    bad = []
    for unit in sorted(DOMAIN):
        for name, imports in _imports_by_module([unit]).items():
            targets = _tierdesk_units(imports) & INTERFACES
            if name.rpartition(".")[2] in APP_INTERFACE_MODULES:
                targets -= {"api", "web"}
            bad.extend(f"{name} imports tierdesk.{target}" for target in sorted(targets))
    assert bad == []


@pytest.mark.parametrize("source, module, expected", [
    ("def f():\n    from tierdesk.sla.sweep import sla_sweep\n", "tierdesk.outbox.services",
     {"sla"}),
    ("from ..tickets import models\n", "tierdesk.jobs.registry", {"tickets"}),
    ("from tierdesk import rules\n", "tierdesk.common.health", {"rules"}),
    ("import importlib\nimportlib.import_module('tierdesk.packs.services')\n",
     "tierdesk.jobs.registry", {"packs"}),
    ("from . import models\n", "tierdesk.outbox", {"outbox"}),
])
def test_the_check_sees_imports_in_functions_relative_and_dynamic(source, module, expected):
    is_package = module.count(".") == 1
    found = _tierdesk_units(imported_modules(source, module, is_package=is_package))
    assert found == expected
