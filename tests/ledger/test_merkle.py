"""The Merkle tree: RFC 6962 conformance vectors, and properties against a literal RFC reference."""

from __future__ import annotations

import base64
import json
from hashlib import sha256
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ramstein.ledger.merkle import (
    EMPTY_ROOT,
    Frontier,
    MemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    subtree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[1] / "data" / "rfc6962"
VECTOR_FILES = sorted(VECTORS.rglob("*.json"))

# --- a literal transcription of RFC 9162 §2.1, for reference ------------------------------


def mth(hashes: list[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(mth(hashes[:k]), mth(hashes[k:]))


def rfc_path(m: int, hashes: list[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = 1 << ((len(hashes) - 1).bit_length() - 1)
    if m < k:
        return rfc_path(m, hashes[:k]) + [mth(hashes[k:])]
    return rfc_path(m - k, hashes[k:]) + [mth(hashes[:k])]


def rfc_subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [mth(hashes)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return rfc_subproof(m, hashes[:k], complete) + [mth(hashes[k:])]
    return rfc_subproof(m - k, hashes[k:], False) + [mth(hashes[:k])]


def hashes_of(n: int) -> list[bytes]:
    return [leaf_hash(b"leaf %d" % i) for i in range(n)]


class DictReader:
    """A NodeReader over a dict, as a store's node table would be; counts its lookups."""

    def __init__(self) -> None:
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.lookups = 0

    def node(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return self.nodes[(level, index)]


def flips(data: bytes) -> list[bytes]:
    return [data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :] for i in range(len(data))]


# --- conformance vectors -------------------------------------------------------------------


def test_all_vector_files_are_found() -> None:
    assert len(VECTOR_FILES) == 196


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_rfc6962_vector(path: Path) -> None:
    v: dict[str, Any] = json.loads(path.read_text())
    b = base64.b64decode
    proof = [b(p) for p in v["proof"] or []]
    try:
        if path.relative_to(VECTORS).parts[0] == "inclusion":
            verify_inclusion(b(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, b(v["root"]))
        else:
            verify_consistency(v["size1"], v["size2"], b(v["root1"]), b(v["root2"]), proof)
    except ProofError as exc:
        assert v["wantErr"], f"{v['desc']}: rejected a valid proof: {exc}"
        assert str(exc), "a ProofError must say what failed"
    else:
        assert not v["wantErr"], f"{v['desc']}: accepted an invalid proof"


# --- hashing ---------------------------------------------------------------------------------


def test_hashes_are_domain_separated() -> None:
    assert leaf_hash(b"") == sha256(b"\x00").digest()
    assert node_hash(b"a" * 32, b"b" * 32) == sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert (
        bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        == EMPTY_ROOT
    )
    # RFC 6962's reference tree: the root of the first leaf (an empty leaf).
    assert leaf_hash(b"").hex().startswith("6e340b9cffb37a989ca544e6bb780a2c")


# --- properties ------------------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=300)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_inclusion_proofs_verify_and_match_the_rfc(n: int, data: st.DataObject) -> None:
    hashes = hashes_of(n)
    tree = MemoryTree(hashes)
    root = tree.root()
    assert root == mth(hashes)
    for index in {data.draw(st.integers(0, n - 1)), 0, n - 1}:
        proof = inclusion_proof(tree, index, n)
        assert proof == rfc_path(index, hashes)
        verify_inclusion(hashes[index], index, n, proof, root)


@settings(max_examples=60, deadline=None)
@given(n=sizes, data=st.data())
def test_consistency_proofs_verify_and_match_the_rfc(n: int, data: st.DataObject) -> None:
    hashes = hashes_of(n)
    tree = MemoryTree(hashes)
    for m in {data.draw(st.integers(1, n)), 1, n}:
        proof = consistency_proof(tree, m, n)
        assert proof == (rfc_subproof(m, hashes, True) if m < n else [])
        verify_consistency(m, n, tree.root(m), tree.root(), proof)


@settings(max_examples=40, deadline=None)
@given(n=sizes)
def test_frontier_root_after_every_append_and_json_round_trip(n: int) -> None:
    hashes = hashes_of(n)
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    for i, h in enumerate(hashes):
        completed = frontier.append(h)
        # One completed subtree per trailing one bit of the old size, plus the leaf itself.
        trailing_ones = (i ^ (i + 1)).bit_length() - 1
        assert len(completed) == trailing_ones + 1
        assert completed[0] == (0, i, h)
        assert frontier.size == i + 1
        assert len(frontier.hashes) == (i + 1).bit_count()
        assert frontier.root() == mth(hashes[: i + 1])
        again = Frontier.from_json(frontier.size, frontier.to_json())
        assert again == frontier and again.root() == frontier.root()


@settings(max_examples=40, deadline=None)
@given(n=sizes, data=st.data())
def test_proofs_from_the_nodes_frontier_emits_equal_memory_tree_proofs(
    n: int, data: st.DataObject
) -> None:
    hashes = hashes_of(n)
    frontier = Frontier()
    reader = DictReader()
    for h in hashes:
        for level, index, node in frontier.append(h):
            assert (level, index) not in reader.nodes, "a subtree is reported once"
            assert node == mth(hashes[index << level : (index + 1) << level])
            reader.nodes[(level, index)] = node
    assert len(reader.nodes) == 2 * n - n.bit_count()
    tree = MemoryTree(hashes)
    assert subtree_hash(reader, 0, n) == frontier.root() == tree.root()
    index = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(1, n))
    budget = 2 * n.bit_length() + 2  # O(log n) lookups, whatever the size
    reader.lookups = 0
    assert inclusion_proof(reader, index, n) == inclusion_proof(tree, index, n)
    assert reader.lookups <= budget
    reader.lookups = 0
    assert consistency_proof(reader, m, n) == consistency_proof(tree, m, n)
    assert reader.lookups <= budget


@settings(max_examples=40, deadline=None)
@given(n=sizes, data=st.data())
def test_memory_tree_reports_the_same_subtrees_as_frontier(n: int, data: st.DataObject) -> None:
    hashes = hashes_of(n)
    frontier, tree = Frontier(), MemoryTree()
    for h in hashes:
        assert tree.append(h) == frontier.append(h)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    assert subtree_hash(tree, start, end) == mth(hashes[start:end])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 64), data=st.data())
def test_any_flipped_byte_fails_verification(n: int, data: st.DataObject) -> None:
    hashes = hashes_of(n)
    tree = MemoryTree(hashes)
    root = tree.root()
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(tree, index, n)
    for bad_leaf in flips(hashes[index]):
        with pytest.raises(ProofError):
            verify_inclusion(bad_leaf, index, n, proof, root)
    for bad_root in flips(root):
        with pytest.raises(ProofError):
            verify_inclusion(hashes[index], index, n, proof, bad_root)
    for i, element in enumerate(proof):
        for bad in flips(element):
            with pytest.raises(ProofError):
                verify_inclusion(hashes[index], index, n, [*proof[:i], bad, *proof[i + 1 :]], root)

    m = data.draw(st.integers(1, n - 1))
    old_root = tree.root(m)
    cproof = consistency_proof(tree, m, n)
    for bad_root in flips(old_root):
        with pytest.raises(ProofError):
            verify_consistency(m, n, bad_root, root, cproof)
    for bad_root in flips(root):
        with pytest.raises(ProofError):
            verify_consistency(m, n, old_root, bad_root, cproof)
    for i, element in enumerate(cproof):
        for bad in flips(element):
            with pytest.raises(ProofError):
                verify_consistency(m, n, old_root, root, [*cproof[:i], bad, *cproof[i + 1 :]])


@settings(max_examples=25, deadline=None)
@given(n=st.integers(2, 64), data=st.data())
def test_wrong_shapes_of_proof_fail(n: int, data: st.DataObject) -> None:
    hashes = hashes_of(n)
    tree = MemoryTree(hashes)
    root = tree.root()
    index = data.draw(st.integers(0, n - 1))
    proof = inclusion_proof(tree, index, n)
    extra = leaf_hash(b"extra")
    for bad in ([*proof, extra], [extra, *proof], proof[:-1]):
        with pytest.raises(ProofError):
            verify_inclusion(hashes[index], index, n, bad, root)
    for wrong_index in {index + 1, index ^ 1, n} - {index}:
        with pytest.raises(ProofError):
            verify_inclusion(hashes[index], wrong_index, n, proof, root)
    m = data.draw(st.integers(1, n - 1))
    cproof = consistency_proof(tree, m, n)
    for bad in ([*cproof, extra], [extra, *cproof], cproof[:-1], []):
        with pytest.raises(ProofError):
            verify_consistency(m, n, tree.root(m), root, bad)


# --- edges and errors ------------------------------------------------------------------------


def test_empty_and_single_leaf_trees() -> None:
    tree = MemoryTree()
    assert tree.size == 0 and tree.root() == EMPTY_ROOT
    assert subtree_hash(tree, 0, 0) == EMPTY_ROOT
    with pytest.raises(ProofError, match="cannot be in a tree of 0"):
        verify_inclusion(EMPTY_ROOT, 0, 0, [], EMPTY_ROOT)
    h = leaf_hash(b"only")
    tree.append(h)
    assert tree.root() == h and inclusion_proof(tree, 0, 1) == []
    verify_inclusion(h, 0, 1, [], h)
    verify_consistency(1, 1, h, h, [])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 1, EMPTY_ROOT, h, [])


def test_bad_arguments_are_refused() -> None:
    tree = MemoryTree(hashes_of(5))
    with pytest.raises(ValueError, match="not in a tree of 5"):
        inclusion_proof(tree, 5, 5)
    with pytest.raises(ValueError, match="old size must be at least 1"):
        consistency_proof(tree, 0, 5)
    with pytest.raises(ValueError):
        consistency_proof(tree, 4, 3)
    with pytest.raises(LookupError):
        tree.node(3, 0)  # the 8-leaf subtree is not complete
    with pytest.raises(ValueError, match="no root at size 6"):
        tree.root(6)
    with pytest.raises(ValueError, match="32 bytes"):
        Frontier().append(b"short")


def test_frontier_from_json_checks_its_shape() -> None:
    frontier = Frontier()
    for h in hashes_of(6):
        frontier.append(h)
    stored = frontier.to_json()
    assert len(stored) == 2  # 6 = 4 + 2
    with pytest.raises(ValueError, match="size 7 has 3 subtree roots, not 2"):
        Frontier.from_json(7, stored)
    with pytest.raises(ValueError, match="not hexadecimal"):
        Frontier.from_json(6, [stored[0], "zz" * 32])
    with pytest.raises(ValueError, match="64 lowercase hex"):
        Frontier.from_json(6, [stored[0], stored[1].upper()])
    with pytest.raises(ValueError, match="negative"):
        Frontier.from_json(-1, [])
    assert Frontier.from_json(0, []).root() == EMPTY_ROOT
