"""The recommendation ledger (issue 17): every approved brief that rates a security or sets a
target, plus content/_shared/recommendations.yaml, as one frozen value ordered by date. Built
once per project load; it feeds the history table, the price chart's markers, the ratings
distribution, the check of a note's ``previous`` keys and ``briefs ledger``.
"""
