"""Sourcing is a package of orders with the four layers, and the dependency goes one way:
sourcing may use purchase orders (an award creates one), purchase orders never use sourcing."""

from __future__ import annotations

import ast
from pathlib import Path

import orders
import orders.sourcing

ORDERS_ROOT = Path(orders.__file__).parent
SOURCING_ROOT = Path(orders.sourcing.__file__).parent
# The composition root wires both contexts into one runtime.
WIRING = {ORDERS_ROOT / "bootstrap.py"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_sourcing_has_the_four_layers() -> None:
    assert {p.name for p in SOURCING_ROOT.iterdir() if (p / "__init__.py").is_file()} == {
        "domain",
        "service",
        "adapters",
        "entrypoints",
    }


def test_purchase_order_modules_never_import_sourcing() -> None:
    purchase_order_modules = [
        path for path in ORDERS_ROOT.rglob("*.py") if SOURCING_ROOT not in path.parents and path not in WIRING
    ]
    assert purchase_order_modules
    offenders = {
        str(path.relative_to(ORDERS_ROOT)): sorted(name for name in imported_modules(path) if is_sourcing(name))
        for path in purchase_order_modules
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def is_sourcing(module: str) -> bool:
    return module == "orders.sourcing" or module.startswith("orders.sourcing.")


def test_no_request_for_proposals_module_is_left_among_purchase_orders() -> None:
    left = sorted(
        str(path.relative_to(ORDERS_ROOT))
        for path in ORDERS_ROOT.rglob("*.py")
        if SOURCING_ROOT not in path.parents and path.name.startswith(("rfp", "proposal"))
    )
    assert left == []
