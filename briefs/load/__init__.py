"""Stage 1, load: discover the content, validate it into the model, resolve and check every reference."""
