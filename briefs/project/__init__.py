"""Stage 0, the project: ``[tool.briefs]`` in pyproject.toml (located keys), and the table of languages."""
