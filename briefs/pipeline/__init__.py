"""Stages 3-6, the build: request, plan, render on workers, write whole files, keep the manifest.

In the order data flows: request.py (what to build) → planning.py (documents to render) → run.py
(the orchestrator) → workers.py / zygote.py (PDF rendering in warm processes, local or Dask) →
write.py (atomic files, the output lock) → incremental.py, fingerprints.py, dependencies.py (the
manifest: what is current) → withdrawn.py. outputs.py is the one module that names output files."""
