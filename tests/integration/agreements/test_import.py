"""Historical import (POST /v1/agreements/import) and the operator export, on the real
database with the relay publishing to the real broker."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any

import pytest

from services.agreements.importer.table import COLUMNS
from tests.integration.agreements.conftest import Stack

pytestmark = pytest.mark.integration

HEADER = list(COLUMNS)  # the importer's own headings


def _row(**overrides: str) -> dict[str, str]:
    row = {
        "reference": f"REG-{uuid.uuid4().hex[:10]}",
        "title": "Bản ghi nhớ hợp tác du lịch",
        "form": "Bản ghi nhớ",
        "signatory_level": "PROVINCIAL_COMMITTEE",
        "province": "Thừa Thiên Huế",
        "foreign_party_name": "Gyeongju City",
        "country": "Hàn Quốc",
        "partner_type": "LOCAL_GOVERNMENT",
        "fields": "culture_tourism;Giáo dục và đào tạo",
        "signed_on": "12/05/2019",
        "effective_from": "",
        "expires_on": "2029-05-12",
        "status": "IN_FORCE",
        "occasion": "Meet Korea 2019",
    }
    row.update(overrides)
    return row


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _post(
    stack: Stack, user: str, rows: list[dict[str, str]], lang: str = "en", **params: Any
) -> Any:
    return stack.client.post(
        "/v1/agreements/import",
        params=params,
        files={"file": ("register.csv", _csv(rows), "text/csv")},
        headers=stack.login(user, lang),
    )


def test_imported_record_is_stored_marked_and_announced(stack: Stack) -> None:
    row = _row()
    r = _post(stack, "admin@system", [row])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["imported"], body["skipped_existing"], body["rejected"]) == (1, 0, 0)
    agreement_id = body["imported_ids"][0]
    stored = stack.client.get(
        f"/v1/agreements/{agreement_id}", headers=stack.login("admin@system")
    ).json()
    assert stored["imported"] is True and stored["reference"] == row["reference"]
    assert stored["province"] == "hue" and stored["historical_unit"] == "hue"
    assert stored["foreign_party"]["country"] == "KR"
    assert stored["fields"] == ["culture_tourism", "education"]
    assert (stored["signed_on"], stored["effective_from"], stored["expires_on"]) == (
        "2019-05-12",
        "2019-05-12",
        "2029-05-12",
    )
    assert stored["status"] == "IN_FORCE" and stored["form"] == "MEMORANDUM_OF_UNDERSTANDING"
    events = stack.events_for(agreement_id, expect=1)
    assert [e.name for e in events] == ["agreement.imported"]
    assert events[0].data["reference"] == row["reference"]
    assert events[0].data["imported_by"] == "admin@system"


def test_a_merged_former_unit_maps_to_its_successor(stack: Stack) -> None:
    r = _post(stack, "registry@mofa", [_row(province="Kiên Giang", signed_on="2024-03-01")])
    assert r.status_code == 200, r.text
    stored = stack.client.get(
        f"/v1/agreements/{r.json()['imported_ids'][0]}", headers=stack.login("admin@system")
    ).json()
    assert (stored["province"], stored["historical_unit"]) == ("an-giang", "kien-giang")


def test_a_file_with_errors_imports_nothing_and_lists_every_row_error(stack: Stack) -> None:
    good = _row()
    bad = _row(country="Atlantis", signed_on="31/02/2020", fields="trade;space mining")
    treaty = _row(title="Hiệp định hợp tác kinh tế")
    r = _post(stack, "admin@system", [good, bad, treaty])
    assert r.status_code == 422
    problem = r.json()
    assert problem["total_rows"] == 3 and problem["rejected"] == 2
    found = {(e["row"], e["column"], e["rule"]) for e in problem["row_errors"]}
    assert found == {
        (3, "country", "unknown_country"),
        (3, "signed_on", "date"),
        (3, "fields", "unknown_field"),
        (4, "title", "forbidden_treaty_name"),
    }
    assert {e["field"] for e in problem["errors"]} >= {"row 3.country", "row 4.title"}
    listed = stack.client.get(
        "/v1/agreements", params={"q": good["reference"]}, headers=stack.login("admin@system")
    ).json()
    assert listed["count"] == 0

    vietnamese = _post(stack, "admin@system", [bad], lang="vi").json()
    messages = {e["column"]: e["message"] for e in vietnamese["row_errors"]}
    assert messages["country"].startswith("'Atlantis' không phải mã ISO 3166-1 alpha-2")
    assert "Tệp có 1 dòng không hợp lệ" in vietnamese["detail"]

    partial = _post(stack, "admin@system", [good, bad, treaty], partial="true")
    assert partial.status_code == 200
    assert (partial.json()["imported"], partial.json()["rejected"]) == (1, 2)


def test_a_reference_already_present_is_skipped_and_counted(stack: Stack) -> None:
    rows = [_row(), _row()]
    first = _post(stack, "admin@system", rows)
    assert first.json()["imported"] == 2
    again = _post(stack, "admin@system", [*rows, _row()])
    assert again.status_code == 200
    assert (again.json()["imported"], again.json()["skipped_existing"]) == (1, 2)
    assert sorted(again.json()["skipped_existing_references"]) == sorted(
        r["reference"] for r in rows
    )


def test_a_repeated_row_is_left_out_with_a_warning_and_a_conflict_refuses_both_rows(
    stack: Stack,
) -> None:
    row = _row()
    # The same record written twice, the second time in other words for the same values.
    same = row | {"country": "Republic of Korea", "province": "TP. Huế", "form": "MOU"}
    r = _post(stack, "admin@system", [row, same])
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["imported"], body["repeated_rows"]) == (1, 1)
    assert [(w["row"], w["rule"]) for w in body["warnings"]] == [(3, "duplicate_row")]
    assert "row 2" in body["warnings"][0]["message"]

    changed = _row()
    other = changed | {"signed_on": "2019-05-13"}
    r = _post(stack, "admin@system", [changed, _row(), other])
    assert r.status_code == 422
    found = [(e["row"], e["rule"]) for e in r.json()["row_errors"]]
    assert found == [(2, "conflicting_reference"), (4, "conflicting_reference")]
    assert "4" in r.json()["row_errors"][0]["message"]
    partial = _post(stack, "admin@system", [changed, _row(), other], partial="true")
    assert (partial.json()["imported"], partial.json()["rejected"]) == (1, 2)


def test_a_reference_recorded_elsewhere_or_differently_is_an_error_without_its_data(
    stack: Stack,
) -> None:
    hanoi = _row(province="Hà Nội", foreign_party_name="Secret Partner Ltd")
    assert _post(stack, "admin@system", [hanoi]).json()["imported"] == 1
    mine = _row(reference=hanoi["reference"], province="Huế")
    r = _post(stack, "officer@hue", [mine])
    assert r.status_code == 422
    (error,) = r.json()["row_errors"]
    assert error["rule"] == "reference_taken"
    assert "Secret" not in r.text and "ha-noi" not in r.text and "Hà Nội" not in r.text

    changed = hanoi | {"title": "Bản ghi nhớ hợp tác đã sửa"}
    r = _post(stack, "admin@system", [changed])
    assert r.status_code == 422
    assert r.json()["row_errors"][0]["rule"] == "recorded_differently"


def test_a_preview_says_what_would_be_imported_and_stores_nothing(stack: Stack) -> None:
    rows = [
        _row(signed_on="2016-08-21"),  # the 18th conference's day: before every cycle
        _row(signed_on="2016-08-22", country="Rep. of Korea"),  # cycle 19
        _row(signed_on="2023-12-18", province="Kiên Giang", country="KOR"),  # cycle 21
        _row(signed_on="2023-12-19", country="Korea, Republic of"),  # cycle 22, open
    ]
    r = _post(stack, "registry@mofa", rows, dry_run="true")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["committed"] is False and body["to_import"] == 4 and body["imported"] == 0
    assert {c["key"]: c["rows"] for c in body["by_cycle"]} == {
        None: 1,
        "19": 1,
        "21": 1,
        "22": 1,
    }
    assert {c["key"]: c["rows"] for c in body["by_province"]} == {"hue": 3, "an-giang": 1}
    assert {c["key"]: c["rows"] for c in body["by_former_unit"]} == {"hue": 3, "kien-giang": 1}
    readings = {(x["column"], x["text"]): x for x in body["readings"]}
    assert readings[("country", "Rep. of Korea")]["code"] == "KR"
    assert readings[("province", "Thừa Thiên Huế")]["meaning"] == "Huế (hue)"
    assert readings[("province", "Kiên Giang")]["meaning"] == "Kiên Giang → An Giang (an-giang)"
    listed = stack.client.get(
        "/v1/agreements", params={"q": rows[0]["reference"]}, headers=stack.login("admin@system")
    ).json()
    assert listed["count"] == 0
    vietnamese = _post(stack, "registry@mofa", rows, lang="vi", dry_run="true").json()
    assert vietnamese["by_cycle"][-1]["label"] == "Kỳ Hội nghị Ngoại vụ toàn quốc lần thứ 22"


def test_an_excel_register_with_vietnamese_headings_is_read(stack: Stack) -> None:
    from openpyxl import Workbook

    headings = {
        "reference": "Số hiệu",
        "title": "Tên thỏa thuận",
        "form": "Hình thức",
        "signatory_level": "Cấp ký",
        "province": "Tỉnh/Thành phố",
        "foreign_party_name": "Bên nước ngoài",
        "country": "Quốc gia",
        "partner_type": "Loại đối tác",
        "fields": "Lĩnh vực",
        "signed_on": "Ngày ký",
        "effective_from": "Ngày có hiệu lực",
        "expires_on": "Ngày hết hiệu lực",
        "status": "Tình trạng",
        "occasion": "Dịp ký",
    }
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", *headings.values()])
    row = _row()
    sheet.append([1, *(row[k] for k in headings)])
    out = io.BytesIO()
    book.save(out)
    r = stack.client.post(
        "/v1/agreements/import",
        files={"file": ("so-dang-ky.xlsx", out.getvalue(), "application/octet-stream")},
        headers=stack.login("admin@system"),
    )
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1
    assert [w["rule"] for w in r.json()["warnings"]] == ["ignored_column"]


def test_province_officer_imports_only_their_own_province(stack: Stack) -> None:
    own = _row(province="Huế")
    other = _row(province="Hà Nội")
    r = _post(stack, "officer@hue", [own, other])
    assert r.status_code == 422
    assert [(e["row"], e["rule"]) for e in r.json()["row_errors"]] == [(3, "other_province")]
    ok = _post(stack, "officer@hue", [own])
    assert ok.status_code == 200 and ok.json()["imported"] == 1


def test_other_roles_may_not_import(stack: Stack) -> None:
    for user in ("reviewer@mofa", "leader@hue", "ops@system"):
        r = _post(stack, user, [_row()])
        assert r.status_code == 403, user


def test_a_file_that_is_not_a_register_is_refused_whole(stack: Stack) -> None:
    r = stack.client.post(
        "/v1/agreements/import",
        files={"file": ("x.csv", b"name,colour\nfoo,red\n", "text/csv")},
        headers=stack.login("admin@system"),
    )
    assert r.status_code == 422
    rules = {e["rule"] for e in r.json()["row_errors"]}
    assert rules == {"missing_column", "ignored_column"}
    binary = stack.client.post(
        "/v1/agreements/import",
        files={"file": ("x.csv", b"\xff\xfe\x00bad", "text/csv")},
        headers=stack.login("admin@system"),
    )
    assert binary.status_code == 422 and binary.json()["row_errors"][0]["rule"] == "encoding"


def test_the_same_idempotency_key_replays_the_first_answer(stack: Stack) -> None:
    rows = [_row()]
    headers = stack.login("admin@system") | {"Idempotency-Key": uuid.uuid4().hex}
    first = stack.client.post(
        "/v1/agreements/import", files={"file": ("r.csv", _csv(rows), "text/csv")}, headers=headers
    )
    second = stack.client.post(
        "/v1/agreements/import", files={"file": ("r.csv", _csv(rows), "text/csv")}, headers=headers
    )
    assert first.json() == second.json() and first.json()["imported"] == 1
    assert second.headers.get("idempotent-replayed") == "true"


def test_only_operators_and_admins_export(stack: Stack) -> None:
    imported = _post(stack, "admin@system", [_row()]).json()["imported_ids"][0]
    for user in ("officer@hue", "registry@mofa", "reviewer@mofa"):
        r = stack.client.get("/v1/export/agreements", headers=stack.login(user))
        assert r.status_code == 403, user
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        params: dict[str, Any] = {"limit": 50} | ({"after": after} if after else {})
        page = stack.client.get(
            "/v1/export/agreements", params=params, headers=stack.login("ops@system")
        ).json()
        seen += page["data"]
        if not (after := page["next_after"]):
            break
    row = next(a for a in seen if a["id"] == imported)
    assert row["imported"] is True and row["state_at"] >= row["created_at"]
    consultations = stack.client.get(
        "/v1/export/consultations", headers=stack.login("admin@system")
    )
    assert consultations.status_code == 200 and "data" in consultations.json()


def test_a_hostile_reference_is_stored_as_written_and_recognised_again(stack: Stack) -> None:
    hostile = _row(reference="R-1'; DROP TABLE agreements;-- \\ ' \" %s")
    first = _post(stack, "admin@system", [hostile])
    assert first.status_code == 200, first.text
    again = _post(stack, "admin@system", [hostile])
    assert again.status_code == 200 and again.json()["already_imported"] == 1
    stored = stack.client.get(
        f"/v1/agreements/{first.json()['imported_ids'][0]}", headers=stack.login("admin@system")
    ).json()
    assert stored["reference"] == hostile["reference"]
