"""briefs: bilingual (zh-CN / en) investment-research briefs from YAML and Markdown, as HTML and PDF."""

__version__ = "0.1.0"
