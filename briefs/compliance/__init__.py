"""Compliance: rating definitions from the scale data, the house rules every brief passes, the draft mark."""
