"""Checks run by ``briefs check``: glyphs no font draws, and bilingual fidelity (figures, glossary, review)."""
