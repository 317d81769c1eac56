"""The coalition's pure model: nouns, rules, state machines and releasability.

Nothing here performs I/O or imports another layer of Ramstein; everything is
tested without a database.
"""
