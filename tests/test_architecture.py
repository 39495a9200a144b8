"""The architecture of docs/architecture.md, checked: the import contracts in pyproject.toml
(a core module importing SQLAlchemy or FastAPI, or the store importing a service, fails the
suite) and the formatter owning the layout."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert code == 0, "an import contract is broken: run `.venv/bin/lint-imports pyproject.toml`"


def test_the_formatter_owns_the_layout() -> None:
    held = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "fmt: skip" in line or "fmt: off" in line
    ]
    assert not held, f"layout held against ruff format at {held}"


def test_architecture_page_names_every_package() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = sorted(
        p.name
        for p in (ROOT / "src" / "nearzero").iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "data"
    )
    missing = [name for name in packages if f"`{name}/`" not in page]
    assert not missing, f"docs/architecture.md does not describe {missing}"
