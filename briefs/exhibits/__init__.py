"""Stage 2a, exhibits: data files and pictures checked, numbered, drawn as charts and tables per language."""
