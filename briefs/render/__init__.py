"""Stages 4–5: renderers turn a localized brief into bytes (HTML, then PDF from that HTML)."""
