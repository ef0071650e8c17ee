"""Stage 1b, the content model: frozen, typed records validated from YAML, with located errors."""
