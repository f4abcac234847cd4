"""Exact scheduling solvers: a generic anytime search (search.py) and the talent-scheduling model (talent.py)."""
