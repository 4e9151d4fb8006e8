"""What notifications say: every event that reaches people renders in both languages with the
agreement, province, body, deadline in Vietnam time, working days left and the link."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.events.types import EventType
from common.law.calendar import default_calendar
from services.notifications.delivery.email import MaildirTransport, build_email
from services.notifications.domain.audience import audiences
from services.notifications.models import Delivery
from services.notifications.notify import message_data
from services.notifications.rendering import Renderer, deadline_of
from tests.unit.notifications.samples import AT, parsed, payload

RENDERER = Renderer("https://agreements.gov.vn/")
TOLD = sorted(e.value for e in EventType if audiences(e, parsed(e)) != ())


@pytest.mark.parametrize("name", TOLD)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_event_people_are_told_of_renders_in_both_languages(name: str, lang: str) -> None:
    data = payload(name, agreement_id="a-1", province="lang-son", body="mps")
    message = RENDERER.render_event(name, data, lang, AT)
    assert "Bản ghi nhớ hợp tác giáo dục với Seoul" in message.subject
    assert message.link == "https://agreements.gov.vn/ui/agreements/a-1"
    assert message.link in message.body
    if lang == "vi":
        assert "Địa phương: Tỉnh Lạng Sơn" in message.body
    else:
        assert "Province: Lang Son" in message.body
    assert "{{" not in message.body and "None" not in message.body


def test_a_consultation_request_names_the_body_deadline_and_working_days_left() -> None:
    data = payload("consultation.requested", agreement_id="a-1", body="ha-noi.police")
    # Requested Monday 2 March 2026, due the end of Wednesday 11 March: 7 working days.
    data["due_at"] = datetime(2026, 3, 11, 16, 59, 59, tzinfo=UTC).isoformat()
    vi = RENDERER.render_event("consultation.requested", data, "vi", AT)
    en = RENDERER.render_event("consultation.requested", data, "en", AT)
    assert vi.body.startswith("Công an thành phố Hà Nội được đề nghị cho ý kiến")
    assert "Hạn: 23:59 ngày 11/03/2026 (giờ Việt Nam), còn 7 ngày làm việc." in vi.body
    assert en.body.startswith("Hanoi City Police is asked for a written opinion")
    assert "Deadline: 23:59, 11 March 2026 (Vietnam time), 7 working days left." in en.body


def test_counts_in_notifications_follow_each_languages_plural_rules() -> None:
    data = payload("consultation.reminder", agreement_id="a-1", body="mps")
    # Requested Monday 2 March 2026 at 09:00, due the end of Tuesday 3 March: 1 working day.
    data["due_at"] = datetime(2026, 3, 3, 16, 59, 59, tzinfo=UTC).isoformat()
    data["working_days_left"] = 1
    en = RENDERER.render_event("consultation.reminder", data, "en", AT)
    vi = RENDERER.render_event("consultation.reminder", data, "vi", AT)
    assert "; 1 working day left before the deadline." in en.body
    assert ", 1 working day left." in en.body
    assert "còn 1 ngày làm việc đến hạn" in vi.body
    overdue = payload("agreement.copy_overdue", agreement_id="a-1")
    for days, words in ((1, "is 1 day late"), (4, "is 4 days late")):
        overdue["days_overdue"] = days
        assert words in RENDERER.render_event("agreement.copy_overdue", overdue, "en", AT).body


def test_notifications_name_codes_as_the_pages_and_reports_do() -> None:
    data = payload("consultation.answered", agreement_id="a-1", body="mps")
    data["outcome"] = "AGREE_WITH_COMMENTS"
    vi = RENDERER.render_event("consultation.answered", data, "vi", AT)
    assert "Bộ Công an: Nhất trí, có góp ý" in vi.subject
    rejected = payload("agreement.rejected", agreement_id="a-1")
    rejected["reason"] = "PM_REFUSED"
    en = RENDERER.render_event("agreement.rejected", rejected, "en", AT)
    assert "Outcome: Refused by the Prime Minister." in en.body


def test_working_days_left_skip_public_holidays() -> None:
    # 28 April 2026 (Tuesday) to the end of 4 May: 30 April and 1 May are holidays.
    data = {"due_at": datetime(2026, 5, 4, 16, 59, tzinfo=UTC).isoformat()}
    at = datetime(2026, 4, 28, 2, 0, tzinfo=UTC)
    deadline = deadline_of("consultation.reminder", data, at, "vi", default_calendar())
    assert deadline is not None
    assert deadline.working_days_left == 2  # 29 April and 4 May
    assert not deadline.overdue


def test_an_overdue_deadline_says_so() -> None:
    data = payload("consultation.overdue", agreement_id="a-1")
    en = RENDERER.render_event("consultation.overdue", data, "en", AT)
    assert "overdue" in en.body.split("Deadline:")[1]


def test_the_disabled_subscription_notice_and_the_digest_render() -> None:
    notice = RENDERER.render_system(
        "subscription_disabled", "vi", url="https://x.vn/h", id="s-1", failures=3, attempts=8,
        error="HTTP 500",
    )  # fmt: skip
    assert notice.subject == "[Webhook đã bị tắt] https://x.vn/h"
    assert "POST /v1/subscriptions/s-1/enable" in notice.body
    digest = RENDERER.render_system(
        "digest", "en", items=[{"subject": "A", "body": "a\n"}], day="2 March 2026"
    )
    assert digest.subject == "[Daily reminders] 1 reminder – 2 March 2026"
    two = RENDERER.render_system("digest", "en", items=[{"subject": "A", "body": "a"}] * 2, day="x")
    assert two.subject == "[Daily reminders] 2 reminders – x"


def test_an_email_keeps_its_vietnamese_subject_and_lands_in_the_maildir(tmp_path: Path) -> None:
    subject = "[Ý kiến góp ý] Bộ Công an: Nhất trí, có góp ý – " + "Thỏa thuận hợp tác " * 5
    delivery = Delivery(
        dedupe_key="k",
        channel="email",
        event_id="e-1",
        event_type="consultation.answered",
        target="officer@hue.agreements.test",
        language="vi",
        subject=subject,
        body="Nội dung tiếng Việt có dấu.\n",
    )
    MaildirTransport(tmp_path / "mail").send(build_email(delivery, "Hệ thống <no-reply@a.test>"))
    [file] = list((tmp_path / "mail" / "new").iterdir())
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == subject
    assert message["Message-ID"] == f"<{delivery.id}@a.test>"
    assert message["Content-Language"] == "vi"
    assert message["From"].addresses[0].display_name == "Hệ thống"
    assert message.get_content() == "Nội dung tiếng Việt có dấu.\n"


@pytest.mark.parametrize("name", TOLD)
def test_a_parsed_payload_renders_the_message_its_event_data_did(name: str) -> None:
    data = payload(name, agreement_id="a-1", province="hue", body="moh")
    from_model = message_data(parsed(name, province="hue", body="moh"))
    for lang in ("vi", "en"):
        assert RENDERER.render_event(name, from_model, lang, AT) == RENDERER.render_event(
            name, data, lang, AT
        )


def test_a_batch_of_emails_lands_in_the_maildir_and_one_failure_stays_its_own(
    tmp_path: Path,
) -> None:
    def mail(n: int) -> Delivery:
        return Delivery(
            id=f"d-{n}",
            dedupe_key=f"k{n}",
            channel="email",
            event_id=f"e-{n}",
            event_type="agreement.approved",
            target="officer@hue.agreements.test",
            body=f"Thư số {n}.\n",
        )

    maildir = MaildirTransport(tmp_path / "mail")
    # The second message cannot be written (its name is taken by a folder in tmp/).
    (tmp_path / "mail" / "tmp" / f"d-2@a.test.{maildir.host}").mkdir()
    messages = [build_email(mail(n), "Hệ thống <no-reply@a.test>") for n in (1, 2, 3)]
    errors = maildir.send_all(messages)
    assert errors[0] is None and errors[2] is None
    assert isinstance(errors[1], OSError)
    landed = sorted(p.name.split("@")[0] for p in (tmp_path / "mail" / "new").iterdir())
    assert landed == ["d-1", "d-3"]
    # Nothing half-written stays behind but the blocked name.
    assert [p.name.split("@")[0] for p in (tmp_path / "mail" / "tmp").iterdir()] == ["d-2"]
    for path in (tmp_path / "mail" / "new").iterdir():
        text = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert text.get_content() in ("Thư số 1.\n", "Thư số 3.\n")
