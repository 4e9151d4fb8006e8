"""The committed OpenAPI documents are enough to integrate: Python clients generated from them
with openapi-python-client (into a temporary folder, never committed) drive a whole agreement
through the real procedure (draft, dossier, submission, opinions, decision, signing, the copy)
and read it in the cycle's summary, and read the field errors of a refused draft, with no
other HTTP call."""

from __future__ import annotations

import importlib
import io
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.openapi_docs import SERVICES, path_of
from tests.helpers import dossier_files, draft_body, until

from .conftest import Lifecycle, today

pytestmark = pytest.mark.integration

# Files the generator has no reader for: it hands them over as bytes.
BINARY = {
    media: "application/octet-stream"
    for media in (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/svg+xml",
        "image/png",
    )
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, ModuleType]]:
    """`<service>_client` packages generated from docs/openapi/<service>.json."""
    generator = pytest.importorskip("openapi_python_client")
    from openapi_python_client.config import Config, ConfigFile, MetaType

    root = tmp_path_factory.mktemp("generated-clients")
    for name in SERVICES:
        config = Config.from_sources(
            ConfigFile(
                package_name_override=f"{name}_client",
                content_type_overrides=BINARY,
                post_hooks=[],
            ),
            MetaType.NONE,
            path_of(name),
            "utf-8",
            True,
            root / f"{name}_client",
        )
        problems = generator.generate(config=config)
        assert not problems, f"{name}: " + "; ".join(f"{p.header} {p.detail}" for p in problems)
    sys.path.insert(0, str(root))
    try:
        yield {name: importlib.import_module(f"{name}_client") for name in SERVICES}
    finally:
        sys.path.remove(str(root))
        packages = {f"{name}_client" for name in SERVICES}
        for module in [m for m in sys.modules if m.split(".")[0] in packages]:
            del sys.modules[module]


class Clients:
    """The generated clients of one person, signed in through the generated client too."""

    def __init__(self, lifecycle: Lifecycle, generated: dict[str, ModuleType], user: str):
        self.lifecycle = lifecycle
        self.agreements = generated["agreements"]
        self.reporting_package = generated["reporting"]
        anonymous = self._client(self.agreements, "")
        body = self.model("BodyIssueTokenV1AuthTokenPost")(username=user, password="dev")
        token = self._call(
            self.agreements,
            "auth.issue_token_v1_auth_token_post",
            anonymous,
            (),
            {"body": body},
            False,
        )
        self.token = token.access_token
        self.client = self._client(self.agreements, self.token)
        reporting_url = f"http://127.0.0.1:{lifecycle.ports['reporting']}"
        self.reporting = self.reporting_package.AuthenticatedClient(
            base_url=reporting_url, token=self.token, timeout=30
        )

    def _client(self, package: ModuleType, token: str) -> Any:
        """The agreements API runs in this process: the generated client speaks to it through
        a test transport, every call still made by the generated code."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = TestClient(self.lifecycle.client.app, headers=headers)
        return package.AuthenticatedClient(
            base_url=str(http.base_url), token=token or "-"
        ).set_httpx_client(http)

    def model(self, name: str, package: ModuleType | None = None) -> Any:
        return getattr(
            importlib.import_module(f"{(package or self.agreements).__name__}.models"), name
        )

    def call(self, operation: str, *args: Any, detailed: bool = False, **kwargs: Any) -> Any:
        """An operation of the agreements client, e.g. `agreements.create_agreement_...`; the
        parsed answer, or the whole response with `detailed`."""
        return self._call(self.agreements, operation, self.client, args, kwargs, detailed)

    def report(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        return self._call(self.reporting_package, operation, self.reporting, args, kwargs, False)

    @staticmethod
    def _call(
        package: ModuleType,
        operation: str,
        client: Any,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        detailed: bool,
    ) -> Any:
        module = importlib.import_module(f"{package.__name__}.api.{operation}")
        kwargs.setdefault("client", client)
        if detailed:
            return module.sync_detailed(*args, **kwargs)
        answer = module.sync(*args, **kwargs)
        problem = importlib.import_module(f"{package.__name__}.models").Problem
        assert not isinstance(answer, problem), f"{operation}: {answer.to_dict()}"
        return answer


@pytest.mark.parametrize("lifecycle", ["sqlite"], indirect=True)
def test_a_whole_lifecycle_through_the_generated_clients_only(
    lifecycle: Lifecycle, generated: dict[str, ModuleType]
) -> None:
    officer = Clients(lifecycle, generated, "officer@ha-noi")
    create = "agreements.create_agreement_v1_agreements_post"

    # A refused draft: the problem detail and its field errors, typed.
    refused = officer.call(
        create,
        detailed=True,
        body=officer.model("AgreementCreate").from_dict(draft_body(title="Ab")),
    )
    assert refused.status_code == 422
    problem = refused.parsed
    assert type(problem).__name__ == "Problem" and problem.status == 422
    [error] = problem.errors
    assert (error.field, error.rule) == ("title", "min_length")
    assert error.message == "Quá ngắn (tối thiểu 3 ký tự)."

    before = _signed_in_open_cycle(officer)
    draft = officer.call(create, body=officer.model("AgreementCreate").from_dict(draft_body()))
    agreement_id = draft.id
    assert draft.status.value == "DRAFT"
    languages = tuple(draft.languages)

    def upload(who: Clients, kind: str, lang: str, name: str, content: bytes) -> None:
        body = who.model("BodyUploadDocumentV1AgreementsAgreementIdDocumentsPost")(
            kind=who.model("DocumentKind")(kind),
            language=lang,
            file=generated["agreements"].types.File(
                payload=io.BytesIO(content), file_name=name, mime_type="application/pdf"
            ),
        )
        document = who.call(
            "documents.upload_document_v1_agreements_agreement_id_documents_post",
            agreement_id,
            body=body,
        )
        assert document.sha256

    for kind, lang, name, content in dossier_files(languages):
        upload(officer, kind, lang, name, content + agreement_id.encode())
    submitted = officer.call(
        "agreements.submit_agreement_v1_agreements_agreement_id_submit_post", agreement_id
    )
    assert submitted.status.value == "SUBMITTED"

    def open_tasks(who: Clients, kind: str) -> list[Any]:
        found = who.call(
            "tasks.list_tasks_v1_tasks_get",
            agreement_id=agreement_id,
            kind=[who.model("TaskKind")(kind)],
            status=[who.model("TaskStatus")("OPEN")],
        )
        return list(found.data)

    def answer(user: str, kind: str, outcome: str, comment: str) -> Any:
        who = Clients(lifecycle, generated, user)
        [task] = until(lambda: open_tasks(who, kind), 30, f"{kind} task for {user}")
        decision = who.model("DecisionCreate").from_dict({"outcome": outcome, "comment": comment})
        return who.call("tasks.decide_v1_tasks_task_id_decision_post", task.id, body=decision)

    admin = Clients(lifecycle, generated, "admin@system")
    consultations = until(lambda: open_tasks(admin, "CONSULTATION"), 30, "consultations")
    for body in sorted({t.assignee.org for t in consultations}):
        answer(f"reviewer@{body}", "CONSULTATION", "AGREE", "Nhất trí với dự thảo.")
    decided = answer("leader@ha-noi", "DECISION", "APPROVE", "Đồng ý ký kết.")
    assert decided.agreement_status.value == "APPROVED"

    for kind, lang, _, content in dossier_files(languages):
        if kind == "DRAFT_TEXT":
            upload(
                officer, "SIGNED_TEXT", lang, f"ban-ky-{lang}.pdf", content + agreement_id.encode()
            )
    signing = officer.model("SigningCreate").from_dict(
        {
            "signed_on": today().isoformat(),
            "place": "Hà Nội",
            "signatories": [
                {"side": "VIETNAMESE", "name": "Nguyễn Văn An", "title": "Chủ tịch UBND"},
                {"side": "FOREIGN", "name": "Kim Min-jun", "title": "Thị trưởng"},
            ],
            "effective_from": today().isoformat(),
            "term_months": 36,
        }
    )
    signed = officer.call(
        "procedure.record_signing_v1_agreements_agreement_id_signing_post",
        agreement_id,
        body=signing,
    )
    assert signed.status.value in {"SIGNED", "IN_FORCE"}
    delivered = officer.call(
        "procedure.copy_delivered_v1_agreements_agreement_id_copy_delivered_post",
        agreement_id,
        body=officer.model("CopyDeliveryCreate").from_dict(
            {"duty": "COPY", "note": "Công văn số 123/UBND-NV"}
        ),
    )
    assert delivered.to_dict()

    # The Ministry reads the cycle's summary, typed, with the agreement in it.
    # `before` is Hà Nội's count as its officer sees it; other agreements of the session may
    # still be arriving, so the count reaches at least one more.
    until(
        lambda: _signed_in_open_cycle(officer) >= before + 1,
        60,
        "the signed agreement in the open cycle",
    )
    registry = Clients(lifecycle, generated, "registry@mofa")
    number = next(
        c.number for c in registry.report("cycles.list_cycles_v1_cycles_get").data if c.open_
    )
    summary = registry.report("cycles.summary_v1_cycles_number_summary_get", number)
    assert summary.headline.agreements_signed.value >= before + 1
    assert summary.language.value == "vi"
    ha_noi = next(row for row in summary.by_province if row.key == "ha-noi")
    assert ha_noi.value >= 1
    assert summary.post_signing_compliance.copies_due.value >= 1


def _signed_in_open_cycle(who: Clients) -> int:
    cycles = who.report("cycles.list_cycles_v1_cycles_get")
    return int(next(c.agreements_signed for c in cycles.data if c.open_))
