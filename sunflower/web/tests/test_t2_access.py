"""Views and API modules never query sensitive (T2) models directly: they call access_*.

A model is T2 when it has a field encrypted with its owner's personal key
(EncryptedTextField(owner_field=...)), so a new sensitive model is covered without a list.
"""

import ast
from pathlib import Path

from django.apps import apps

import sunflower
from sunflower.keystore.fields import EncryptedTextField

ROOT = Path(sunflower.__file__).parent
QUERY_ATTRIBUTES = {"objects", "_default_manager", "_base_manager"}


def t2_model_names() -> set[str]:
    return {
        model.__name__
        for model in apps.get_models()
        if any(
            isinstance(field, EncryptedTextField) and field.owner_field
            for field in model._meta.get_fields()
        )
    }


def view_modules() -> list[Path]:
    patterns = ("views.py", "views_*.py", "api.py", "api_*.py", "consumers.py")
    return sorted(path for pattern in patterns for path in ROOT.glob(f"*/{pattern}"))


def direct_queries(source: str, models: set[str]) -> list[str]:
    """`Model.objects…` (or another manager) for any of *models*, with line numbers."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in QUERY_ATTRIBUTES
            and isinstance(node.value, ast.Name)
            and node.value.id in models
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


class T2AccessRuleTestCase:
    def test_the_scanner_finds_a_direct_query(self) -> None:
        source = "def view(request):\n    return Secret.objects.filter(pk=1)\n"
        assert direct_queries(source, {"Secret"}) == ["line 2: Secret.objects"]

    def test_the_scanner_allows_other_models(self) -> None:
        assert direct_queries("Unit.objects.all()", {"Secret"}) == []

    def test_it_scans_the_view_modules(self) -> None:
        names = {path.name for path in view_modules()}
        assert {"views.py", "consumers.py"} <= names

    def test_no_view_or_api_module_queries_a_t2_model(self) -> None:
        models = t2_model_names()
        offenders = [
            f"{path.relative_to(ROOT)} {hit}"
            for path in view_modules()
            for hit in direct_queries(path.read_text(), models)
        ]
        assert offenders == [], "read T2 data through an access_* function instead"
