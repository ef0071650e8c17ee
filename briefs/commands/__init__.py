"""One module per CLI verb, each exposing ``run(...) -> int``."""
