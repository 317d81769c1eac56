"""Ramstein: the working system of a multinational assistance coalition."""

__version__ = "0.1.0"
