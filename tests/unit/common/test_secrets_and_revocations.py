"""Production refuses weak token secrets at start, with a message saying what to do; a secrets
directory feeds settings; revocations refuse a session's tokens, a token id, or a subject's
tokens issued before a cut-off; a list that cannot be kept up to date refuses in production."""

from __future__ import annotations

import asyncio
import base64
import os
import threading
import time
from pathlib import Path

import pytest

from common.auth import InvalidToken, Principal, Role, TokenService
from common.revocation import (
    RevocationEntry,
    Revocations,
    RevocationsUnavailable,
    keep_in_sync,
)
from common.settings import DEV_JWT_SECRET, CommonSettings, secret_weakness

STRONG = base64.b64encode(os.urandom(32)).decode()


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        (DEV_JWT_SECRET, "development default"),
        ("short-secret", "fewer than 32"),
        ("a" * 64, "low entropy"),
        ("abababababababababababababababab", "low entropy"),
        ("0123456701234567012345670123456701234567", "low entropy"),
        ("password" * 4, "low entropy"),
    ],
)
def test_production_refuses_a_weak_secret_at_start(secret: str, why: str) -> None:
    assert why in (secret_weakness(secret) or "")
    with pytest.raises(ValueError, match=r"JWT_SECRET is .*at least 32 random bytes"):
        CommonSettings(env="production", jwt_secret=secret)


def test_production_refuses_a_weak_secret_even_with_an_external_issuer() -> None:
    """The secret still signs the service's own session tokens and the pages' CSRF tokens."""
    with pytest.raises(ValueError, match="JWT_SECRET"):
        CommonSettings(env="production", jwt_jwks_url="https://idp.example/jwks")


@pytest.mark.parametrize(
    "secret",
    [STRONG, os.urandom(48).hex(), "a-real-secret-from-the-vault-0123456789"],
)
def test_random_secrets_and_long_passphrases_pass(secret: str) -> None:
    assert secret_weakness(secret) is None
    CommonSettings(env="production", jwt_secret=secret)


def test_development_keeps_its_default() -> None:
    assert CommonSettings().jwt_secret == DEV_JWT_SECRET


def test_a_secrets_directory_gives_settings_by_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "jwt_secret").write_text(STRONG + "\n", encoding="utf-8")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("JWT_SECRET_FILE", raising=False)
    monkeypatch.setenv("SECRETS_DIR", str(tmp_path))
    assert CommonSettings(env="production").jwt_secret == STRONG
    # A variable, or a _FILE variable, still wins over the directory.
    other = tmp_path / "other"
    other.write_text(STRONG[::-1], encoding="utf-8")
    monkeypatch.setenv("JWT_SECRET_FILE", str(other))
    assert CommonSettings().jwt_secret == STRONG[::-1]


def tokens(strict: bool = False) -> tuple[TokenService, Revocations]:
    revocations = Revocations(strict=strict, max_staleness_s=60)
    return TokenService(CommonSettings(), revocations), revocations


ME = Principal("officer@hue", Role.PROVINCE_OFFICER, "hue")


def test_a_revoked_session_refuses_its_tokens_and_only_them() -> None:
    service, revocations = tokens()
    mine, other = service.issue(ME, session_id="s1"), service.issue(ME, session_id="s2")
    assert service.verify(mine) == ME  # cached from here on
    revocations.add([RevocationEntry("session", "s1", time.time())])
    with pytest.raises(InvalidToken):
        service.verify(mine)
    assert service.verify(other) == ME


def test_a_subject_cut_off_refuses_tokens_issued_before_it_only() -> None:
    service, revocations = tokens()
    before = service.issue(ME)
    time.sleep(0.01)
    revocations.apply([RevocationEntry("subject", ME.subject, time.time())])
    time.sleep(0.01)
    after = service.issue(ME)
    with pytest.raises(InvalidToken):
        service.verify(before)
    assert service.verify(after) == ME


def test_a_token_id_can_be_revoked_alone() -> None:
    service, revocations = tokens()
    token = service.issue(ME)
    verified = service.inspect(token)
    assert verified.token_id
    revocations.add([RevocationEntry("token", verified.token_id, time.time())])
    with pytest.raises(InvalidToken):
        service.verify(token)


def test_a_stale_list_refuses_in_production_and_accepts_in_development() -> None:
    strict, revocations = tokens(strict=True)
    token = strict.issue(ME, session_id="s1")
    with pytest.raises(RevocationsUnavailable):  # never brought up to date
        strict.verify(token)
    revocations.apply([])
    assert strict.verify(token) == ME
    lenient, _ = tokens(strict=False)
    assert lenient.verify(lenient.issue(ME, session_id="s1")) == ME


def test_service_tokens_open_no_api_and_person_tokens_no_feed() -> None:
    service, _ = tokens()
    machine = service.issue_service("reporting")
    assert service.verify_service(machine) == "reporting"
    with pytest.raises(InvalidToken):
        service.verify(machine)
    with pytest.raises(InvalidToken):
        service.verify_service(service.issue(ME))


def test_a_long_poll_wakes_when_the_list_gains_an_entry_from_another_thread() -> None:
    _, revocations = tokens()
    new = RevocationEntry("session", "s-1", time.time())

    async def scenario() -> tuple[float, float, float]:
        started = time.monotonic()
        await revocations.gained_entry(0.2)  # nothing comes: the wait runs out
        timed_out = time.monotonic() - started
        loop = asyncio.get_running_loop()
        loop.call_later(
            0.05, lambda: threading.Thread(target=revocations.add, args=([new],)).start()
        )
        started = time.monotonic()
        await revocations.gained_entry(10)
        woken = time.monotonic() - started
        # The same entry again is no news: the wait runs out.
        loop.call_later(0.05, lambda: revocations.apply([new]))
        started = time.monotonic()
        await revocations.gained_entry(0.3)
        return timed_out, woken, time.monotonic() - started

    timed_out, woken, repeated = asyncio.run(scenario())
    assert 0.2 <= timed_out < 1
    assert woken < 1
    assert repeated >= 0.3


def test_a_long_poll_that_read_before_a_gain_does_not_wait_for_the_next() -> None:
    _, revocations = tokens()
    read_at = revocations.gains  # the feed reads the table here...
    revocations.add([RevocationEntry("token", "t-1", time.time())])  # ...one comes meanwhile

    async def wait() -> float:
        started = time.monotonic()
        await revocations.gained_entry(5, after=read_at)
        return time.monotonic() - started

    assert asyncio.run(wait()) < 0.5


def test_a_feed_that_answers_at_once_is_not_asked_in_a_loop() -> None:
    """A long-polling list asked by a feed that knows no long poll (an older agreements
    service) asks once per poll interval, as before; a held answer is followed at once."""

    def rounds(fetch_takes_s: float) -> int:
        _, revocations = tokens()
        asked: list[float] = []

        def fetch(since: float) -> list[RevocationEntry]:
            asked.append(since)
            time.sleep(fetch_takes_s)
            return []

        async def run() -> None:
            task = asyncio.create_task(keep_in_sync(revocations, fetch, 0.1, long_poll=True))
            await asyncio.sleep(0.75)
            task.cancel()

        asyncio.run(run())
        return len(asked)

    assert rounds(0.0) <= 10  # every 0.1 s, not hundreds of times
    assert rounds(0.2) >= 3  # held answers: asked again at once, not 0.1 s later
