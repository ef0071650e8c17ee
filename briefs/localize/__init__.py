"""Stage 2, localize: a loaded brief and the shared library become one language's brief (Babel, gettext, OpenCC)."""
