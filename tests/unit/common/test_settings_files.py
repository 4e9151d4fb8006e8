"""Secrets from files, as containers hand them out: `<NAME>_FILE` gives a setting the file's
content; the plain variable still wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from common.settings import CommonSettings


def test_a_setting_is_read_from_the_file_its_name_file_variable_points_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = tmp_path / "jwt_secret"
    secret.write_text("a-long-secret-from-a-docker-secret-file-0123456789\n", encoding="utf-8")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.setenv("JWT_SECRET_FILE", str(secret))
    assert CommonSettings().jwt_secret == "a-long-secret-from-a-docker-secret-file-0123456789"
    monkeypatch.setenv("JWT_SECRET", "from-the-environment")
    assert CommonSettings().jwt_secret == "from-the-environment"
