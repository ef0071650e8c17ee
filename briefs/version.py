"""briefs' version (also in pyproject.toml): part of every output's key and of the HTML's meta."""

__version__ = "0.1.0"
