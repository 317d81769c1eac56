"""The log's Merkle tree: RFC 9162 §2.1 hashing, proofs and their verification.

Hashes are raw 32-byte SHA-256 digests. A leaf is hashed as sha256(0x00 || leaf) and an
interior node as sha256(0x01 || left || right), so a leaf can never be mistaken for a node.

The tree is never held whole by the log itself. A `Frontier` (the roots of the perfect
subtrees that make up [0, size)) is enough to append and to compute the root; every perfect
subtree it completes is reported once, so a store can keep them in a table and answer
inclusion and consistency proofs from it through the `NodeReader` protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import sha256
from typing import Protocol

EMPTY_ROOT = sha256(b"").digest()
"""The root of the empty tree: the hash of no bytes."""

HASH_SIZE = 32


class ProofError(Exception):
    """A proof or a root did not verify; the message says what failed."""


def leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 leaf hash: sha256(0x00 || leaf)."""
    return sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 interior node hash: sha256(0x01 || left || right)."""
    return sha256(b"\x01" + left + right).digest()


def _split(size: int) -> int:
    """The largest power of two strictly below `size` (size >= 2): where RFC 9162 splits."""
    return 1 << ((size - 1).bit_length() - 1)


Node = tuple[int, int, bytes]
"""A completed perfect subtree: (level, index, hash); it covers leaves
[index * 2**level, (index + 1) * 2**level)."""


class Frontier:
    """The compact range of [0, size): the roots of its perfect subtrees, left to right.

    There is one root per set bit of `size`, largest first, so the frontier holds at most
    log2(size) + 1 hashes whatever the size of the log.
    """

    __slots__ = ("size", "hashes")

    def __init__(self) -> None:
        self.size = 0
        self.hashes: list[bytes] = []

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add one leaf hash; return every perfect subtree this completes, smallest first.

        The leaf itself comes first as (0, old size, leaf_hash). Amortised O(1): a leaf
        completes one subtree per trailing one bit of the old size.
        """
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf_hash)}")
        index = self.size
        completed: list[Node] = [(0, index, leaf_hash)]
        hashes = self.hashes
        node = leaf_hash
        level = 0
        while index & 1:
            node = sha256(b"\x01" + hashes.pop() + node).digest()
            index >>= 1
            level += 1
            completed.append((level, index, node))
        hashes.append(node)
        self.size += 1
        return completed

    def root(self) -> bytes:
        """The RFC 9162 root of [0, size): the subtree roots folded from the right."""
        hashes = self.hashes
        if not hashes:
            return EMPTY_ROOT
        root = hashes[-1]
        for left in reversed(hashes[:-1]):
            root = sha256(b"\x01" + left + root).digest()
        return root

    def copy(self) -> Frontier:
        other = Frontier()
        other.size = self.size
        other.hashes = list(self.hashes)
        return other

    def to_json(self) -> list[str]:
        """The subtree roots as hex strings; store them with `size`."""
        return [h.hex() for h in self.hashes]

    @classmethod
    def from_json(cls, size: int, hashes: list[str]) -> Frontier:
        """Rebuild a frontier from `size` and `to_json()`'s hex strings, checking their shape."""
        if size < 0:
            raise ValueError(f"a frontier cannot have a negative size ({size})")
        if len(hashes) != size.bit_count():
            raise ValueError(
                f"a frontier of size {size} has {size.bit_count()} subtree roots, not {len(hashes)}"
            )
        frontier = cls()
        frontier.size = size
        for text in hashes:
            try:
                value = bytes.fromhex(text)
            except (TypeError, ValueError):
                raise ValueError(f"frontier hash {text!r} is not hexadecimal") from None
            if len(value) != HASH_SIZE or value.hex() != text:
                raise ValueError(f"frontier hash {text!r} is not 64 lowercase hex digits")
            frontier.hashes.append(value)
        return frontier

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frontier):
            return NotImplemented
        return self.size == other.size and self.hashes == other.hashes

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Frontier(size={self.size}, root={self.root().hex()})"


class NodeReader(Protocol):
    """Read access to the completed perfect subtrees of a tree."""

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree over leaves [index·2^level, (index+1)·2^level)."""
        ...


class MemoryTree(NodeReader):
    """A whole tree in memory: every completed node, by level. For tests, bundles and verifiers."""

    __slots__ = ("levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    @classmethod
    def from_leaves(cls, leaves: Iterable[bytes]) -> MemoryTree:
        """A tree over raw leaves (hashed with `leaf_hash`)."""
        return cls(leaf_hash(leaf) for leaf in leaves)

    @property
    def size(self) -> int:
        return len(self.levels[0])

    def append(self, leaf_hash: bytes) -> list[Node]:
        """Add one leaf hash; return the subtrees it completes, as `Frontier.append` does."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf_hash)}")
        levels = self.levels
        index = len(levels[0])
        levels[0].append(leaf_hash)
        completed: list[Node] = [(0, index, leaf_hash)]
        node = leaf_hash
        level = 0
        while index & 1:
            left = levels[level][index - 1]
            node = sha256(b"\x01" + left + node).digest()
            index >>= 1
            level += 1
            if level == len(levels):
                levels.append([])
            levels[level].append(node)
            completed.append((level, index, node))
        return completed

    def node(self, level: int, index: int) -> bytes:
        if level < 0 or index < 0 or level >= len(self.levels) or index >= len(self.levels[level]):
            raise LookupError(f"the tree has no completed node at level {level}, index {index}")
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """The root at `size` leaves (default: all of them)."""
        if size is None:
            size = self.size
        if not 0 <= size <= self.size:
            raise ValueError(f"the tree has {self.size} leaves, so it has no root at size {size}")
        return subtree_hash(self, 0, size)


def _perfect_hash(reader: NodeReader, start: int, size: int) -> bytes:
    """MTH of the `size` (a power of two) leaves from `start`, aligned or not."""
    if start % size == 0:
        level = size.bit_length() - 1
        return reader.node(level, start >> level)
    half = size >> 1
    return node_hash(_perfect_hash(reader, start, half), _perfect_hash(reader, start + half, half))


def subtree_hash(reader: NodeReader, start: int, end: int) -> bytes:
    """MTH of leaves [start, end), from the perfect subtrees that make it up.

    For the ranges proofs use (start a multiple of a power of two >= end - start) this is
    one node lookup per set bit of end - start.
    """
    if not 0 <= start <= end:
        raise ValueError(f"[{start}, {end}) is not a range of leaves")
    if start == end:
        return EMPTY_ROOT
    pieces: list[bytes] = []
    while True:
        size = end - start
        if size & (size - 1) == 0:
            pieces.append(_perfect_hash(reader, start, size))
            break
        k = 1 << (size.bit_length() - 1)
        pieces.append(_perfect_hash(reader, start, k))
        start += k
    root = pieces[-1]
    for left in reversed(pieces[:-1]):
        root = node_hash(left, root)
    return root


def inclusion_proof(reader: NodeReader, index: int, size: int) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), leaf-side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    proof: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            proof.append(subtree_hash(reader, start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(reader, start, start + k))
            start += k
    proof.reverse()
    return proof


def consistency_proof(reader: NodeReader, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]); empty when the sizes are equal."""
    if not 0 < old_size <= new_size:
        raise ValueError(
            f"no consistency proof from size {old_size} to size {new_size}: "
            "the old size must be at least 1 and at most the new size"
        )
    proof: list[bytes] = []
    m = old_size
    start, end = 0, new_size
    complete = True  # SUBPROOF's b: the old tree is a complete subtree of this one
    while True:
        size = end - start
        if m == size:
            if not complete:
                proof.append(subtree_hash(reader, start, end))
            break
        k = _split(size)
        if m <= k:
            proof.append(subtree_hash(reader, start + k, end))
            end = start + k
        else:
            proof.append(subtree_hash(reader, start, start + k))
            start += k
            m -= k
            complete = False
    proof.reverse()
    return proof


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"the {what} has {len(value)} bytes; a SHA-256 hash has {HASH_SIZE}")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2: check that `leaf_hash` is leaf `index` of the tree `size`, `root`."""
    if not 0 <= index < size:
        raise ProofError(f"leaf {index} cannot be in a tree of {size} leaves")
    _check_hash("leaf hash", leaf_hash)
    _check_hash("root", root)
    fn, sn = index, size - 1
    r = leaf_hash
    for i, p in enumerate(proof):
        _check_hash(f"proof element {i}", p)
        if sn == 0:
            raise ProofError(
                f"the inclusion proof has {len(proof)} hashes, more than a tree of {size} needs"
            )
        if fn & 1 or fn == sn:
            r = sha256(b"\x01" + p + r).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = sha256(b"\x01" + r + p).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(
            f"the inclusion proof has {len(proof)} hashes, fewer than a tree of {size} needs"
        )
    if r != root:
        raise ProofError(
            f"the inclusion proof of leaf {index} does not lead to the root of the tree of {size}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: check that the tree of `new_size` extends the tree of `old_size`."""
    if old_size > new_size:
        raise ProofError(f"a tree of {new_size} leaves cannot extend one of {old_size}")
    if old_size < 1:
        raise ProofError(
            "a consistency proof from the empty tree proves nothing; the old size must be >= 1"
        )
    if old_size == new_size:
        if proof:
            raise ProofError(f"the sizes are equal ({old_size}), so the proof must be empty")
        if old_root != new_root:
            raise ProofError(f"two trees of {old_size} leaves have different roots")
        return
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    if not proof:
        raise ProofError(f"the consistency proof from {old_size} to {new_size} is empty")
    for i, p in enumerate(proof):
        _check_hash(f"proof element {i}", p)
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError(
                f"the consistency proof from {old_size} to {new_size} has too many hashes"
            )
        if fn & 1 or fn == sn:
            fr = sha256(b"\x01" + c + fr).digest()
            sr = sha256(b"\x01" + c + sr).digest()
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = sha256(b"\x01" + sr + c).digest()
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError(f"the consistency proof from {old_size} to {new_size} has too few hashes")
    if fr != old_root:
        raise ProofError(f"the consistency proof does not lead to the root of size {old_size}")
    if sr != new_root:
        raise ProofError(f"the consistency proof does not lead to the root of size {new_size}")
