"""``briefs serve``: a local live preview of the built briefs.

- :mod:`.state`: what the last builds left (per brief: its diagnostics, its PDFs), and the
  server-sent events that tell open pages about it;
- :mod:`.builder`: the thread that builds on start and again on every save (HTML first, then the
  check's warnings, then the PDF);
- :mod:`.guard`: the requests the server refuses (a foreign Host or Origin, a path leading out
  of the output folder or to a dotfile);
- :mod:`.server`: the Starlette application (the list page, a preview page per brief, the event
  stream, the output folder's files).
"""
