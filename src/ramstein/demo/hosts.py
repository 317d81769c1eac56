"""The demo's two log hosts: the lead nation's, then the alliance's after the handover.

Their keys are derived from the seed so that the same seed builds the same log. That is
fine for a demo and wrong for anything else: a real host generates its key at random
(`ramstein log key`) and never lets it leave its machine.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ramstein.demo.calendar import ALLIANCE, LEAD_NATION
from ramstein.ledger.notes import Signer
from ramstein.services.log import HostSigner

DEMO_ORIGIN = "ramstein.demo/udcg"
"""The demo log's origin line: it names the log, and stays the same across the handover."""


def demo_hosts(seed: int) -> dict[str, HostSigner]:
    """The host signer of each participant that hosts the demo log, keyed by its code."""
    return {
        code: HostSigner(
            Signer(
                DEMO_ORIGIN,
                Ed25519PrivateKey.from_private_bytes(
                    hashlib.sha256(f"ramstein-demo/{seed}/host/{code}".encode()).digest()
                ),
            ),
            DEMO_ORIGIN,
        )
        for code in (LEAD_NATION, ALLIANCE)
    }
