"""Matching: allocate pledge tranches (offers) to needs so as to maximise weighted coverage.

Pure: no database. `model` turns needs, offers and substitutions into NumPy arrays and
independent components; `solve` finds the exact optimum; `greedy` is the baseline it beats;
`files` reads and writes the file mode's CSV and JSON.
"""

from ramstein.matching.model import Need, Offer, Problem, Substitution
from ramstein.matching.solve import Plan, solve

__all__ = ["Need", "Offer", "Plan", "Problem", "Substitution", "solve"]
