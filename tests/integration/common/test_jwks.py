"""Tokens of an external issuer (RS256 keys from its JWKS endpoint, a real HTTP server here):
they keep working on the services; the keys are fetched off the event loop, kept, and
fetched again when the issuer rotates them, at most so often for unknown key ids."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from jwt.algorithms import RSAAlgorithm

from common.auth import InvalidToken, TokenService
from common.settings import CommonSettings
from services.reporting.__main__ import migrate_database
from services.reporting.app import create_app
from services.reporting.settings import ReportingSettings

pytestmark = pytest.mark.integration

ISSUER = "https://sso.example.gov.vn/realms/agreements"


class Issuer:
    """Its keys, the JWKS it publishes (by key id), and how slowly it answers."""

    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.published: list[str] = []
        self.delay_s = 0.0
        self.requests = 0

    def new_key(self, kid: str, publish: bool = True) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published = [*self.published, kid]

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in self.published:
            jwk = json.loads(RSAAlgorithm.to_jwk(self.keys[kid].public_key()))
            keys.append(jwk | {"kid": kid, "use": "sig", "alg": "RS256"})
        return {"keys": keys}

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": "vn-intl-agreements",
            "sub": "tran.thi.b@mofa.gov.vn",
            "role": "mofa_registry",
            "org": "mofa-registry",
            "iat": now,
            "exp": now + 300,
        } | claims
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def issuer() -> Iterator[tuple[Issuer, str]]:
    state = Issuer()
    state.new_key("k1")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            time.sleep(state.delay_s)
            body = json.dumps(state.jwks()).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


def settings_for(url: str, **extra: Any) -> CommonSettings:
    return CommonSettings(
        jwt_issuer=ISSUER, jwt_jwks_url=url, jwks_min_refresh_seconds=0.3, **extra
    )


async def test_keys_are_fetched_off_the_event_loop(issuer: tuple[Issuer, str]) -> None:
    state, url = issuer
    state.delay_s = 0.5
    tokens = TokenService(settings_for(url))
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    ticker = asyncio.create_task(tick())
    principal = await tokens.verify_async(state.token("k1"))
    ticker.cancel()
    assert principal.subject == "tran.thi.b@mofa.gov.vn"
    # The loop kept running while the issuer took half a second to answer.
    assert ticks >= 20, ticks
    # Kept: the next token with a known key needs no fetch.
    await tokens.verify_async(state.token("k1", sub="someone.else@mofa.gov.vn"))
    assert state.requests == 1


async def test_a_rotated_key_is_fetched_and_unknown_ids_cannot_flood_the_issuer(
    issuer: tuple[Issuer, str],
) -> None:
    state, url = issuer
    tokens = TokenService(settings_for(url))
    await tokens.verify_async(state.token("k1"))
    time.sleep(0.35)
    state.new_key("k2")  # the issuer rotates
    assert (await tokens.verify_async(state.token("k2"))).role.value == "mofa_registry"
    assert state.requests == 2
    # Tokens naming keys nobody published (signed by a key of their own).
    state.new_key("forged", publish=False)
    for _ in range(20):
        with pytest.raises(InvalidToken):
            await tokens.verify_async(state.token("forged"))
    assert state.requests <= 3  # at most one more fetch within the refresh interval


def test_a_service_accepts_the_issuers_tokens(issuer: tuple[Issuer, str], tmp_path: Path) -> None:
    state, url = issuer
    db_url = f"sqlite:///{tmp_path / 'reporting.db'}"
    migrate_database(db_url)
    settings = ReportingSettings(
        env="test",
        data_dir=tmp_path,
        reporting_database_url=db_url,
        jwt_issuer=ISSUER,
        jwt_jwks_url=url,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        ok = client.get("/v1/cycles", headers={"Authorization": f"Bearer {state.token('k1')}"})
        assert ok.status_code == 200, ok.text
        state.new_key("other", publish=False)
        bad = client.get("/v1/cycles", headers={"Authorization": f"Bearer {state.token('other')}"})
        assert bad.status_code == 401
