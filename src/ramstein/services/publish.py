"""Publish the public records as a static open-data package: `ramstein publish --out DIR`.

The chair publishes. First, when the log has grown since its latest checkpoint, the host signs
a new one, so the package's log is covered to its end. Then, in one read transaction (so at
one log position), the records the public may see, the public bundle of the log up to that
position and its latest checkpoint are read; the bundle is verified as any reader would verify
it, and only then is the package (`interchange.publication`) written: into a fresh folder
beside DIR, which then takes DIR's place, so a reader never finds half a package. A DIR that
holds something other than an earlier package is refused, and nothing is written.
"""

from __future__ import annotations

import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ramstein.domain.errors import DomainError
from ramstein.domain.permissions import require_chair
from ramstein.domain.releasability import PUBLIC_VIEWER, Principal
from ramstein.interchange import publication
from ramstein.interchange.publication import Citation, License, PublicLog
from ramstein.services import bundles, exports, log, sources
from ramstein.services.log import HostSigner
from ramstein.store.engine import Store


class PublishRefused(DomainError):
    """The package cannot be written: no checkpoint to publish, or a folder in the way."""

    code = "publish-refused"


@dataclass(frozen=True, slots=True)
class Published:
    folder: Path
    files: int
    bytes: int
    log_size: int
    checkpoint_size: int
    signed: bool
    """Whether a checkpoint was signed for this publication."""


def _check_folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise PublishRefused(f"{out} is a file, not a folder; nothing was written.")
    if out.is_dir() and any(out.iterdir()) and not (out / publication.DATAPACKAGE).is_file():
        raise PublishRefused(
            f"{out} holds files and no {publication.DATAPACKAGE}: it is not an earlier "
            "package, so it is left alone; choose an empty or new folder. Nothing was written."
        )


def _write(out: Path, files: list[tuple[str, bytes]]) -> int:
    """Write `files` into a new folder beside `out`, then put it in `out`'s place."""
    fresh = out.parent / f".{out.name}.new-{os.getpid()}"
    stale = out.parent / f".{out.name}.old-{os.getpid()}"
    shutil.rmtree(fresh, ignore_errors=True)
    total = 0
    for path, content in files:
        target = fresh / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        total += len(content)
    if out.exists():
        out.rename(stale)
    fresh.rename(out)
    shutil.rmtree(stale, ignore_errors=True)
    return total


def publish(
    *,
    store: Store,
    actor: Principal,
    out: Path,
    group_name: str,
    iati_ref: str,
    license: License,
    host: HostSigner | None,
) -> Published:
    """Write the public package to `out`; with `host`, sign a checkpoint first if one is due."""
    require_chair(actor, "publish the group's open data")
    _check_folder(out)
    signed = False
    if host is not None:
        with store.write() as uow:
            latest = log.latest_checkpoint(conn=uow.conn)
            if latest is None or latest.size < log.log_size(conn=uow.conn):
                log.sign_checkpoint(uow=uow, actor=actor, host=host)
                signed = True
    with store.read() as conn:
        records = exports.gather(conn=conn, viewer=PUBLIC_VIEWER, group_name=group_name)
        latest = log.latest_checkpoint(conn=conn)
        keys = log.host_keys(conn=conn)
        if latest is None or not keys:
            raise PublishRefused(
                "The log has no signed checkpoint, so nobody could verify a package; sign one "
                "(publish with the host's key, or `ramstein log checkpoint`). Nothing was "
                "written."
            )
        text = io.StringIO()
        bundles.write_log(
            conn=conn,
            viewer=PUBLIC_VIEWER,
            out=text,
            size=records.log_size,
            exported_at=records.generated_at,
        )
        cited = [Citation(title, citation) for title, citation in sources.citations(conn=conn)]
    bundle = bundles.read_bundle(text.getvalue().splitlines())
    bundles.verify_bundle(bundle, pinned_key=keys[0].key)
    public_log = PublicLog(
        bundle=text.getvalue(),
        entries=len(bundle.entries),
        redacted=bundle.redacted,
        checkpoint_size=latest.size,
        checkpoint_root=latest.root.hex(),
        checkpoint_note=latest.note,
        signing_key=latest.key,
        genesis_key=keys[0].key,
    )
    files = publication.package(
        records, public_log, license=license, sources=cited, iati_ref=iati_ref
    )
    total = _write(out, files)
    return Published(out, len(files), total, records.log_size, latest.size, signed)
