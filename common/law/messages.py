"""How each rule of drafting.py reads to a person, in Vietnamese and English."""

from __future__ import annotations

from common.law.drafting import Violation
from common.problems import FieldError

MESSAGES: dict[str, tuple[str, str]] = {
    "unknown_province": (
        "Mã tỉnh/thành phố '{value}' không thuộc 34 đơn vị hành chính cấp tỉnh hiện hành.",
        "'{value}' is not one of the 34 current provincial-level units.",
    ),
    "forbidden_treaty_name": (
        "Không được dùng tên gọi của điều ước quốc tế ('{name}') cho thỏa thuận quốc tế (Điều 6).",
        "A treaty name ('{name}') may not be used for an international agreement (Art. 6).",
    ),
    "form_name_required": (
        "Khi chọn tên gọi khác (OTHER) phải ghi rõ tên gọi trong form_name.",
        "form OTHER requires the name in form_name.",
    ),
    "out_of_scope": (
        "Loại văn bản {category} không thuộc phạm vi Luật Thỏa thuận quốc tế (ODA, vốn vay ưu "
        "đãi, viện trợ, hợp đồng dân sự, hợp đồng PPP).",
        "Category {category} is outside the Law on International Agreements (ODA and "
        "concessional loans, aid, civil-law and PPP contracts).",
    ),
    "reduced_reason_required": (
        "Thủ tục rút gọn phải giải trình hoàn cảnh cụ thể của căn cứ đã chọn (Điều 35).",
        "The reduced procedure needs an explanation of the circumstances of the chosen ground "
        "(Art. 35).",
    ),
    "reduced_ground_required": (
        "Thủ tục rút gọn phải chọn một căn cứ của Điều 35: ký kết trong chuyến thăm cấp cao "
        "được cấp có thẩm quyền cho phép, hoặc yêu cầu cấp bách về chính trị, đối ngoại, cứu "
        "trợ khẩn cấp, khắc phục hậu quả thiên tai, thảm họa, dịch bệnh.",
        "The reduced procedure needs one of the grounds of Art. 35: signing during a "
        "high-level visit allowed by a competent authority, or an urgent political or "
        "foreign-affairs need, emergency relief, or recovery from a disaster or epidemic.",
    ),
    "reduced_not_allowed": (
        "Thủ tục rút gọn chỉ áp dụng cho cơ quan nhà nước cấp tỉnh (Hội đồng nhân dân, Ủy ban "
        "nhân dân cấp tỉnh và cơ quan chuyên môn), không áp dụng cho cấp xã hay cơ quan cấp "
        "tỉnh của tổ chức (Điều 35).",
        "The reduced procedure is open to provincial state bodies only (the provincial Council, "
        "Committee and its departments), not to communes or provincial bodies of organisations "
        "(Art. 35).",
    ),
    "country_required": (
        "Phải nêu quốc gia của bên nước ngoài (trừ tổ chức quốc tế).",
        "The foreign party's country is required (except for an international organisation).",
    ),
    "unknown_country": (
        "'{value}' không phải mã quốc gia ISO 3166-1 alpha-2.",
        "'{value}' is not an ISO 3166-1 alpha-2 country code.",
    ),
    "partner_not_foreign": (
        "Bên ký kết phải là bên nước ngoài.",
        "The partner must be a foreign party.",
    ),
    "border_commune_partner_type": (
        "Xã biên giới chỉ được ký với chính quyền địa phương cấp tương đương của nước láng giềng.",
        "A border commune may only sign with a local authority of the neighbouring country.",
    ),
    "border_commune_partner_country": (
        "Xã biên giới chỉ được ký với nước có chung đường biên giới với tỉnh "
        "(cho phép: {allowed}).",
        "A border commune may only sign with a country sharing the province's border "
        "(allowed: {allowed}).",
    ),
    "languages_required": (
        "Phải nêu ít nhất một ngôn ngữ của văn bản thỏa thuận.",
        "At least one language of the agreement text is required.",
    ),
    "unknown_language": (
        "'{value}' không phải mã ngôn ngữ ISO 639-1.",
        "'{value}' is not an ISO 639-1 language code.",
    ),
    "unknown_body": (
        "'{value}' không có trong danh mục cơ quan được lấy ý kiến.",
        "'{value}' is not in the catalogue of consulted bodies.",
    ),
    "body_of_other_province": (
        "Cơ quan '{value}' thuộc tỉnh khác.",
        "Body '{value}' belongs to another province.",
    ),
    "proposal_required": (
        "Hồ sơ thiếu tờ trình (PROPOSAL).",
        "The dossier lacks the proposal (PROPOSAL).",
    ),
    "implementation_plan_required": (
        "Hồ sơ thiếu dự thảo kế hoạch thực hiện (IMPLEMENTATION_PLAN).",
        "The dossier lacks the draft implementation plan (IMPLEMENTATION_PLAN).",
    ),
    "draft_text_required": (
        "Hồ sơ thiếu dự thảo văn bản bằng ngôn ngữ '{language}' (DRAFT_TEXT).",
        "The dossier lacks the draft text in '{language}' (DRAFT_TEXT).",
    ),
    "vietnamese_translation_required": (
        "Văn bản không có bản tiếng Việt: hồ sơ phải kèm bản dịch tiếng Việt (TRANSLATION, vi) "
        "(Điều 7).",
        "Without a Vietnamese text the dossier must carry a Vietnamese translation "
        "(TRANSLATION, vi) (Art. 7).",
    ),
    "opinion_by_answering_body": (
        "Tài liệu loại OPINION do cơ quan trả lời nhiệm vụ đính kèm, không thuộc hồ sơ đề xuất.",
        "OPINION documents are attached by whoever answers a task, not by the proposer.",
    ),
    "outcome_not_allowed": (
        "Kết quả '{value}' không dùng được cho nhiệm vụ loại {kind}; cho phép: {allowed}.",
        "Outcome '{value}' does not fit a {kind} task; allowed: {allowed}.",
    ),
    "comment_required": (
        "Cần ghi rõ ý kiến (lý do, nội dung cần sửa hoặc bổ sung) với kết quả '{value}'.",
        "A comment (the reasons, or what to change or add) is required with '{value}'.",
    ),
    "unknown_document": (
        "Tài liệu '{value}' không thuộc hồ sơ thỏa thuận này.",
        "Document '{value}' is not part of this agreement's dossier.",
    ),
    "signed_text_required": (
        "Cần đính kèm văn bản đã ký (SIGNED_TEXT) trước khi ghi nhận ký kết.",
        "Attach the signed text (SIGNED_TEXT) before recording the signing.",
    ),
    "signed_text_missing": (
        "Thiếu bản ký bằng tiếng '{language}': mỗi ngôn ngữ của văn bản đã được phê duyệt cần có "
        "bản ký tương ứng.",
        "The signed '{language}' version is missing: each language of the approved text needs "
        "its signed counterpart.",
    ),
    "signed_before_decision": (
        "Ngày ký ({value}) không được trước ngày quyết định phê duyệt ({earliest}): chỉ ký sau "
        "khi có quyết định.",
        "The signing date ({value}) may not precede the decision approving it ({earliest}): "
        "an agreement is signed after its decision.",
    ),
    "signed_before_pm_consent": (
        "Ngày ký ({value}) không được trước ngày Thủ tướng Chính phủ đồng ý ({earliest}).",
        "The signing date ({value}) may not precede the Prime Minister's consent ({earliest}).",
    ),
    "mandatory_is_termination": (
        "Chỉ chấm dứt hiệu lực mới có thể là bắt buộc theo Điều 34.",
        "Only a termination can be mandatory under Art. 34.",
    ),
    "duty_required": (
        "Có nhiều nghĩa vụ đang chờ gửi: nêu nghĩa vụ đã gửi (duty: {allowed}).",
        "Several duties are owed: name the one delivered (duty: {allowed}).",
    ),
    "date_in_future": (
        "Ngày {value} chưa đến.",
        "{value} is in the future.",
    ),
    "effective_before_signing": (
        "Ngày có hiệu lực ({value}) không được trước ngày ký ({signed_on}).",
        "The effective date ({value}) may not precede the signing date ({signed_on}).",
    ),
    "expiry_before_effect": (
        "Ngày hết hiệu lực ({value}) phải sau ngày có hiệu lực ({effective_from}).",
        "The expiry date ({value}) must follow the effective date ({effective_from}).",
    ),
    "expiry_or_term": (
        "Chỉ ghi một trong hai: ngày hết hiệu lực (expires_on) hoặc thời hạn (term_months).",
        "Give either the expiry date (expires_on) or the term (term_months), not both.",
    ),
    "signatories_both_sides": (
        "Cần ít nhất một người ký phía Việt Nam và một người ký phía nước ngoài.",
        "At least one Vietnamese and one foreign signatory are required.",
    ),
    "expires_on_required": (
        "Gia hạn phải nêu ngày hết hiệu lực mới (expires_on).",
        "An extension must give the new expiry date (expires_on).",
    ),
    "expiry_not_later": (
        "Ngày hết hiệu lực mới ({value}) phải sau ngày hết hiệu lực hiện tại ({current}).",
        "The new expiry date ({value}) must be after the current one ({current}).",
    ),
    "not_own_province": (
        "Chỉ cán bộ của {value} được trình thỏa thuận này.",
        "Only an officer of {value} may submit this agreement.",
    ),
}


def describe(violations: list[Violation], lang: str) -> list[FieldError]:
    index = 0 if lang == "vi" else 1
    out = []
    for v in violations:
        template = MESSAGES.get(v.rule, (v.rule, v.rule))[index]
        out.append(FieldError(field=v.field, rule=v.rule, message=template.format(**v.params)))
    return out
