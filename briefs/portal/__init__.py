"""The research portal: an index of every built brief per language (filters, search), an Atom
feed per language, and a Pagefind search index, written by every build (:mod:`.build`).

The package itself imports nothing: :mod:`briefs.pipeline.request` asks :mod:`.state` whether the portal
is current without loading the heavier modules.
"""
