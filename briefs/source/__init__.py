"""Stage 1a, the source text: files read safely, YAML with the line of every key, where each text lives."""
