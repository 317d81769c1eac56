"""Signing a test client in through the sign-in form, and reading a form's CSRF field."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, token: str) -> None:
    form = client.get("/signin").text
    own = form[form.index('action="/signin"') :]  # not the header's sign-out form, if signed in
    answer = client.post(
        "/signin", data={"token": token, "csrf": csrf_of(own)}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and token not in cookie
