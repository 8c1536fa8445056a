"""The invoicing service's OpenAPI document says what its answers really are: a downloaded file
comes in the type it was uploaded as (any accepted type), every error is problem details."""

from __future__ import annotations

from pathlib import Path

from invoicing.bootstrap import bootstrap
from invoicing.config import Settings
from portal_dev.testing import Tokens
from shared.problems import PROBLEM_JSON
from shared.uploads import ALLOWED_CONTENT_TYPES


def document(tmp_path: Path) -> dict:
    tokens = Tokens(tmp_path)
    app = bootstrap(Settings(jwt_public_key_file=tokens.public_key_file, log_format="console")).app
    return app.openapi()


def test_an_attachment_download_is_documented_in_every_type_an_upload_may_have(tmp_path: Path) -> None:
    download = document(tmp_path)["paths"]["/api/v1/invoices/{invoice_id}/attachments/{attachment_id}"]["get"]
    assert set(download["responses"]["200"]["content"]) == ALLOWED_CONTENT_TYPES


def test_every_error_answer_of_every_operation_is_problem_details(tmp_path: Path) -> None:
    for path, item in document(tmp_path)["paths"].items():
        if not path.startswith("/api/v1/"):
            continue  # /health/ready answers 503 with the checks that failed
        for method, operation in item.items():
            errors = {code: r for code, r in operation["responses"].items() if int(code) >= 400}
            assert errors, f"{method} {path} documents no error answer"
            assert all(set(r["content"]) == {PROBLEM_JSON} for r in errors.values()), f"{method} {path}"


def test_an_invoice_answer_documents_its_suppliers_name_as_always_there_and_null_until_known(tmp_path: Path) -> None:
    invoice = document(tmp_path)["components"]["schemas"]["InvoiceOut"]
    assert "supplier_name" in invoice["required"]
    name = invoice["properties"]["supplier_name"]
    assert name["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert name["description"] == "the supplier's name as last known; null until known"
