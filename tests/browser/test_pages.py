"""A whole agreement lifecycle clicked through the web pages in Debian's Chromium: the officer
drafts (and is told what is wrong, next to the fields), builds the dossier and submits; each
consulted body's reviewer answers; the leader approves; the officer records the signing and
the copy; the Ministry's registry acknowledges it. No step goes through the API. Every page is
kept as a screenshot and checked for untranslated text, server errors and unlabelled fields."""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from common.law.calendar import TZ
from tests.helpers import PDF

from .conftest import (
    OVERFLOW,
    RAW_CODE,
    SCREENSHOTS,
    SERVER_ERROR,
    UNLABELLED,
    UNTRANSLATED_KEY,
    UiStack,
)

pytestmark = pytest.mark.integration

LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
_counter = itertools.count(1)

PROPOSAL = PDF + b"to trinh"
PLAN = PDF + b"ke hoach"
DRAFT_VI = PDF + b"du thao tieng Viet"
DRAFT_KO = PDF + b"draft in Korean"


class Person:
    """One person at their own browser (own cookies), signed in with the dev directory."""

    def __init__(self, browser: Any, stack: UiStack, username: str, *, phone: bool = False):
        self.stack = stack
        self.username = username
        self.context = browser.new_context(
            viewport=PHONE if phone else LAPTOP,
            # The browser asks for English: the pages still start in Vietnamese.
            locale="en-US",
            is_mobile=phone,
            has_touch=phone,
        )
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.failures: list[str] = []
        self.page.on("response", self._watch)
        self.page.on("pageerror", lambda exc: self.failures.append(f"script error: {exc}"))

    def _watch(self, response: Any) -> None:
        if response.status >= 500:
            self.failures.append(f"{response.status} from {response.url}")

    def goto(self, path: str) -> None:
        self.page.goto(self.stack.base_url + path)

    def login(self, *, keyboard: bool = False) -> None:
        self.goto("/ui")
        if keyboard:
            # Only the keyboard: the user name field has focus, Tab to the password, Enter.
            self.page.wait_for_function("document.activeElement?.id === 'username'")
            self.page.keyboard.type(self.username)
            self.page.keyboard.press("Tab")
            self.page.keyboard.type("dev")
            self.page.keyboard.press("Enter")
        else:
            self.page.get_by_label(re.compile("^(Tên đăng nhập|Username)$")).fill(self.username)
            self.page.get_by_label(re.compile("^(Mật khẩu|Password)$")).fill("dev")
            self.page.get_by_role("button", name=re.compile("^(Đăng nhập|Sign in)$")).click()
        self.page.wait_for_url(re.compile(r"/ui/(agreements|tasks)"))

    def logout(self) -> None:
        self.page.get_by_role("button", name=re.compile("^(Đăng xuất|Sign out)$")).click()
        self.page.wait_for_url(re.compile(r"/ui/login"))

    def shot(self, name: str) -> None:
        """Keep the page as a picture and check what it shows a person."""
        number = next(_counter)
        self.page.screenshot(path=str(SCREENSHOTS / f"{number:02d}-{name}.png"), full_page=True)
        text = self.page.inner_text("body")
        where = f"page {name} ({self.page.url})"
        assert not SERVER_ERROR.search(text), f"{where} shows a server error:\n{text[:2000]}"
        assert not UNTRANSLATED_KEY.findall(text), f"{where}: {UNTRANSLATED_KEY.findall(text)}"
        assert not RAW_CODE.findall(text), f"{where} shows raw codes {RAW_CODE.findall(text)}"
        assert self.page.evaluate(UNLABELLED) == [], f"{where} has unlabelled fields"
        assert self.page.evaluate(OVERFLOW) <= 1, f"{where} scrolls sideways"
        assert not self.failures, f"{where}: {self.failures}"

    def close(self) -> None:
        self.context.close()

    # --- helpers a person would do by eye --------------------------------------------------

    def reload_until(self, text: str | re.Pattern[str], timeout_s: float = 30) -> None:
        """Reload (the Refresh link people use) until the page shows `text`."""
        deadline = time.monotonic() + timeout_s
        while True:
            if self.page.get_by_text(text).count():
                return
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.username}: {text!r} not shown after {timeout_s}s on {self.page.url}\n"
                    + self.stack.logs()
                )
            time.sleep(0.5)
            self.page.reload()

    def field_error(self, form: str, name: str) -> str:
        return str(self.page.locator(f"#f-{form}-{name.replace('.', '-')}-error").inner_text())


@pytest.fixture
def people(browser: Any, ui_stack: UiStack) -> Iterator[dict[str, Any]]:
    opened: dict[str, Person] = {}

    def open_(username: str, phone: bool = False) -> Person:
        person = Person(browser, ui_stack, username, phone=phone)
        opened[f"{username}:{len(opened)}"] = person
        return person

    yield {"open": open_}
    for person in opened.values():
        person.close()


def upload(person: Person, kind: str, language: str, name: str, content: bytes) -> None:
    page = person.page
    form = page.locator("form.upload")
    form.get_by_label(re.compile("^(Loại tài liệu|Kind)")).select_option(kind)
    form.get_by_label(re.compile("^(Ngôn ngữ|Language)")).select_option(language)
    form.get_by_label(re.compile("^(Tệp|File)")).set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": content}
    )
    form.get_by_role("button", name=re.compile("^(Đính kèm|Attach)$")).click()
    page.wait_for_url(re.compile(r"done=uploaded"))


def answer_task(person: Person, title: str, outcome: str, comment: str, *, shoot: str) -> None:
    """From the inbox: open the task on this agreement, claim it, answer it."""
    page = person.page
    person.reload_until(title)
    person.shot(f"{shoot}-inbox")
    page.get_by_role("row").filter(has_text=title).get_by_role("link").first.click()
    page.get_by_role("button", name="Nhận xử lý").click()
    page.wait_for_url(re.compile(r"done=claimed"))
    person.shot(f"{shoot}-task")
    page.get_by_label(outcome, exact=True).check()
    page.get_by_label("Ý kiến", exact=True).fill(comment)
    page.get_by_role("button", name="Gửi ý kiến").click()
    page.wait_for_url(re.compile(r"done=answered"))
    assert "Đã ghi nhận ý kiến." in page.inner_text("main")
    person.shot(f"{shoot}-answered")


TITLE = "Bản ghi nhớ hợp tác giáo dục giữa Hà Nội và Seoul (thử trên trình duyệt)"


def test_whole_lifecycle_through_the_pages(people: dict[str, Any], ui_stack: UiStack) -> None:
    open_ = people["open"]

    # --- the officer drafts: Vietnamese by default, signed in with the keyboard only --------
    officer = open_("officer@ha-noi")
    officer.goto("/ui")
    officer.shot("login")
    assert officer.page.locator("html").get_attribute("lang") == "vi"
    officer.login(keyboard=True)
    officer.shot("officer-agreements-empty")
    page = officer.page
    page.get_by_role("link", name="Tạo dự thảo").first.click()
    officer.shot("new-draft")

    # Nothing filled in: each required field says so next to itself.
    page.get_by_role("button", name="Tạo dự thảo").click()
    assert "bắt buộc" in officer.field_error("draft", "title") or "ngắn" in officer.field_error(
        "draft", "title"
    )
    assert officer.field_error("draft", "signatory_level") == "Mục này là bắt buộc."
    assert officer.field_error("draft", "fields") == "Hãy chọn ít nhất một mục."
    officer.shot("new-draft-required")

    # A treaty name in the title breaks Art. 6: the rule's message sits by the title.
    page.get_by_label("Tên thỏa thuận").fill("Hiệp định hợp tác giáo dục Hà Nội - Seoul")
    page.get_by_label("Tên gọi (loại văn bản)").select_option("MEMORANDUM_OF_UNDERSTANDING")
    page.get_by_label("Cấp ký").select_option("PROVINCIAL_COMMITTEE")
    page.get_by_label("Tên bên nước ngoài").fill("Seoul Metropolitan Government")
    page.get_by_label(re.compile("^Quốc gia")).select_option("KR")
    page.get_by_label("Loại bên nước ngoài").select_option("LOCAL_GOVERNMENT")
    page.get_by_label("Giáo dục và đào tạo", exact=True).check()
    page.get_by_label("Ngôn ngữ văn bản").fill("vi, ko")
    page.get_by_label("An ninh", exact=True).check()  # also consults Public Security
    page.get_by_label("Tóm tắt nội dung").fill("Trao đổi giáo viên và học sinh.")
    page.get_by_role("button", name="Tạo dự thảo").click()
    assert "Điều 6" in officer.field_error("draft", "title")
    officer.shot("new-draft-treaty-name")

    page.get_by_label("Tên thỏa thuận").fill(TITLE)
    page.get_by_role("button", name="Tạo dự thảo").click()
    page.wait_for_url(re.compile(r"done=created"))
    agreement_path = page.url.split(ui_stack.base_url, 1)[1].split("?", 1)[0]
    officer.shot("draft-created")

    # Submitting an empty dossier: every missing document is listed by the submit button.
    page.get_by_role("button", name="Trình hồ sơ").click()
    missing = officer.page.locator("#f-submit-documents-error").inner_text()
    assert "Thiếu tờ trình." in missing
    assert "Tiếng Hàn" in missing
    officer.shot("submit-refused")

    upload(officer, "PROPOSAL", "vi", "to-trinh.pdf", PROPOSAL)
    upload(officer, "IMPLEMENTATION_PLAN", "vi", "ke-hoach.pdf", PLAN)
    upload(officer, "DRAFT_TEXT", "vi", "du-thao-vi.pdf", DRAFT_VI)
    upload(officer, "DRAFT_TEXT", "ko", "du-thao-ko.pdf", DRAFT_KO)
    assert "Hồ sơ đã đủ tài liệu bắt buộc." in page.inner_text("#documents")
    officer.shot("dossier-complete")
    page.get_by_role("button", name="Trình hồ sơ").click()
    page.wait_for_url(re.compile(r"done=submitted"))
    officer.reload_until("Đang lấy ý kiến")
    officer.shot("in-consultation")

    # The officer prefers English: the choice follows the person, not the browser.
    page.get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(agreement_path))
    assert page.locator("html").get_attribute("lang") == "en"
    assert "In consultation" in page.inner_text("main")
    officer.shot("in-consultation-english")
    officer.logout()
    officer.close()

    # --- other provinces and bodies not consulted see nothing of it --------------------------
    for outsider in ("officer@da-nang", "reviewer@moh"):
        stranger = open_(outsider)
        stranger.login()
        stranger.goto(agreement_path)
        assert "Không tìm thấy trang hoặc hồ sơ này" in stranger.page.inner_text("main")
        stranger.shot(f"not-visible-to-{outsider.replace('@', '-')}")
        stranger.goto("/ui/agreements")
        assert TITLE not in stranger.page.inner_text("main")
        stranger.close()

    # --- each consulted body answers (the Ministry of Public Security from a phone) ---------
    mofa = open_("reviewer@mofa")
    mofa.login()
    # An outcome that needs a comment, without one: the message is next to the comment.
    mofa.reload_until(TITLE)
    mofa.page.get_by_role("row").filter(has_text=TITLE).get_by_role("link").first.click()
    mofa.page.get_by_label("Nhất trí, có góp ý").check()
    mofa.page.get_by_role("button", name="Gửi ý kiến").click()
    assert "Cần ghi rõ ý kiến" in mofa.field_error("answer", "comment")
    mofa.shot("mofa-comment-required")
    mofa.goto("/ui/tasks")
    answer_task(
        mofa,
        TITLE,
        "Nhất trí, có góp ý",
        "Đề nghị bổ sung điều khoản bảo vệ dữ liệu.",
        shoot="mofa",
    )
    mofa.close()

    mps = open_("reviewer@mps", phone=True)
    mps.login()
    answer_task(mps, TITLE, "Nhất trí", "Bộ Công an nhất trí.", shoot="mps-phone")
    mps.close()

    # --- the leader approves ---------------------------------------------------------------
    leader = open_("leader@ha-noi")
    leader.login()
    answer_task(leader, TITLE, "Phê duyệt", "Đồng ý ký kết.", shoot="leader")
    leader.close()

    # --- the officer (now in English) records the signing and the copy ---------------------
    officer = open_("officer@ha-noi")
    officer.login()
    page = officer.page
    assert page.locator("html").get_attribute("lang") == "en"
    officer.goto(agreement_path)
    officer.reload_until("Record the signing")
    officer.shot("approved-english")
    signing = page.locator("#signing")
    today = datetime.now(TZ).date().isoformat()
    # Each language of the approved text has its signed version.
    signing.get_by_label(re.compile("^Signed text in Vietnamese")).set_input_files(
        {"name": "van-ban-ky.pdf", "mimeType": "application/pdf", "buffer": DRAFT_VI}
    )
    signing.get_by_label(re.compile("^Signed text in Korean")).set_input_files(
        {"name": "van-ban-ky-ko.pdf", "mimeType": "application/pdf", "buffer": DRAFT_KO}
    )
    signing.get_by_label("Signed on").fill(today)
    signing.get_by_label("Place of signing").fill("Hà Nội")
    vn = signing.locator("fieldset", has_text="Vietnamese signatory")
    vn.get_by_label("Full name").fill("Nguyễn Văn A")
    vn.get_by_label("Position").fill("Chủ tịch UBND thành phố")
    foreign = signing.locator("fieldset", has_text="Foreign signatory")
    foreign.get_by_label("Full name").fill("Oh Se-hoon")
    foreign.get_by_label("Position").fill("Mayor of Seoul")
    signing.get_by_label(re.compile("^Term")).fill("36")
    signing.get_by_role("button", name="Record the signing").click()
    page.wait_for_url(re.compile(r"done=signed"))
    officer.shot("signed")

    # The copy to the Ministry and the report to the Prime Minister, each its own duty.
    officer.reload_until("Copy of the signed agreement")
    assert "Report to the Prime Minister on the signed agreement" in page.inner_text("main")
    for duty, dispatch in (("copy", "Công văn số 123/UBND-NV"), ("report", "Báo cáo số 45/BC")):
        form = page.locator(f"#copy-{duty}")
        form.get_by_label("Dispatch number, note").fill(dispatch)
        form.get_by_role("button", name="Record as sent").click()
        page.wait_for_url(re.compile(r"done=copy"))
        officer.shot(f"{duty}-sent")
    officer.logout()
    officer.close()

    # --- the Ministry's registry acknowledges the copy, the PM's office the report ----------
    prime_minister = open_("pm@office")
    prime_minister.login()
    answer_task(prime_minister, TITLE, "Đã nhận", "Đã nhận báo cáo.", shoot="pm-report")
    prime_minister.close()
    registry = open_("registry@mofa")
    registry.login()
    answer_task(registry, TITLE, "Đã nhận", "Đã nhận bản sao.", shoot="registry")
    registry.goto(agreement_path)
    timeline = registry.page.inner_text("#timeline")
    for step in (
        "Trình hồ sơ",
        "Có ý kiến",
        "Phê duyệt",
        "Ký kết",
        "Xác nhận đã nhận: Bản sao thỏa thuận đã ký",
    ):
        assert step in timeline, f"timeline lacks {step}: {timeline}"
    registry.shot("registry-agreement")
    registry.close()

    # --- signed: the officer can start an amendment ------------------------------------------
    officer = open_("officer@ha-noi", phone=True)
    officer.login()
    officer.goto(agreement_path)
    officer.reload_until(re.compile("^(Signed|In force)$"))
    officer.shot("signed-phone")
    officer.page.get_by_role("link", name="Start: Amendment").click()
    officer.shot("amendment-form")
    officer.page.get_by_label("What changes, and why").fill("Thêm trao đổi sinh viên đại học.")
    officer.page.get_by_role("button", name="Open the case").click()
    officer.page.wait_for_url(re.compile(r"done=case"))
    assert "Amendment" in officer.page.inner_text("main")
    officer.shot("amendment-draft")
    officer.close()
