"""The verifiable log: canonical encoding, hashing, and (later) Merkle tree and checkpoints."""
