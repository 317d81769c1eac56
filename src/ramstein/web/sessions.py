"""Browser sessions: the API token a user signed in with, sealed in an HttpOnly cookie.

The cookie holds the token and the session's CSRF secret, encrypted and authenticated with a
key of this host's (Fernet: AES-128-CBC and HMAC-SHA256, with the time it was sealed), so the
browser can neither read the token nor forge a session. Every request authenticates the token
again, so a revoked or expired token ends its sessions at once; a session also ends after
`SESSION_HOURS` or when the user signs out.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

COOKIE = "ramstein_session"
SESSION_HOURS = 12


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    csrf: str

    def checks(self, sent: str | None) -> bool:
        """Does a form's CSRF field match this session's?"""
        return sent is not None and hmac.compare_digest(sent, self.csrf)


class Sealer:
    """Seals sessions into cookie values and opens them again."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, token: str) -> tuple[str, Session]:
        session = Session(token, secrets.token_urlsafe(32))
        value = json.dumps({"t": session.token, "c": session.csrf}).encode()
        return self._fernet.encrypt(value).decode(), session

    def open(self, cookie: str | None) -> Session | None:
        """The session in `cookie`, or None for a missing, forged or expired one."""
        if not cookie:
            return None
        try:
            data = json.loads(self._fernet.decrypt(cookie.encode(), ttl=SESSION_HOURS * 3600))
        except (InvalidToken, ValueError):
            return None
        return Session(str(data["t"]), str(data["c"]))


def load_key(path: Path) -> bytes:
    """The session key at `path`, made (mode 0600) when missing."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
    return key
