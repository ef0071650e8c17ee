"""What the portal and the recommendation ledger add to a build of a large, unchanged project
(issue 20, point 5: under 0.2 s at N = 1,000; an unchanged project is answered by the no-op
path, which loads nothing), and what they cost inside a build that does load the project (one
brief edited, say), measured in one process on a project already built (for instance the N = 1,000 project ``bench_scale.py`` leaves in its work folder).

    .venv/bin/python benchmarks/scale_parts.py PROJECT [--repeat 5] [--formats html,pdf]

Prints the median of --repeat runs of:
  the no-op path's portal check (``portal_current``: the portal's files by stat)
  the ledger built from the loaded project (``build_ledger``, as every load does)
  the portal brought up to date when nothing in it changed (``update_portal``: entries taken from
  its record by brief key, pages and feeds rendered and compared, search parts' keys)
and, for scale, loading the project with the build's load cache.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from briefs.ledger.build import build_ledger, shared_ledger
from briefs.load.project import load_project
from briefs.pipeline.fingerprints import brief_keys, input_keys
from briefs.pipeline.incremental import Manifest
from briefs.pipeline.inputcache import InputHashes
from briefs.pipeline.loadcache import LoadCache
from briefs.pipeline.planning import build_time
from briefs.portal.build import update_portal
from briefs.portal.state import portal_current
from briefs.project.config import load_config
from briefs.render.fonts import FONTS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_portal import clock  # noqa: E402  (the median of --repeat runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--formats", default="html,pdf")
    args = parser.parse_args()
    config = load_config(args.project)
    out = config.output.resolve()
    langs, formats = config.languages, tuple(args.formats.split(","))
    families = tuple(sorted({f for lang in langs for f in (FONTS[lang].sans, FONTS[lang].serif)}))
    folders = input_keys(config, langs, formats, families, (), InputHashes(out))
    cache = LoadCache(out, folders)
    started = time.perf_counter()
    project = load_project(config, remembered=cache)
    loading = time.perf_counter() - started
    keys = brief_keys(
        folders,
        {b.brief.id: b.folder for b in project.briefs},
        {b.brief.id: build_time(b.brief.date).isoformat() for b in project.briefs},
    )
    manifest = Manifest.load(out)
    written = update_portal(project, manifest, langs, False, keys)  # as the build left it, first
    print(f"{len(project.briefs)} briefs; loaded in {loading:.2f} s ({cache.hits} from the load cache)")
    check = clock(lambda: portal_current(out, False), args.repeat)
    print(f"portal check of the no-op path: {check * 1000:.1f} ms")
    shared = shared_ledger(config, project.library)
    ledger = clock(lambda: build_ledger(config, project.library, list(project.briefs), None, shared), args.repeat)
    print(f"recommendation ledger from the loaded project: {ledger * 1000:.1f} ms")
    portal = clock(lambda: update_portal(project, manifest, langs, False, keys), args.repeat)
    again = update_portal(project, manifest, langs, False, keys)
    print(
        f"portal brought up to date, nothing in it changed: {portal * 1000:.1f} ms "
        f"({len(again)} files written; {len(written)} on the first call)"
    )
    print(
        f"an unchanged project (the no-op: nothing is loaded, the ledger not built): {check * 1000:.0f} ms "
        "for the portal and the ledger (target < 200 ms)"
    )
    print(f"  for information, inside a build that loads the project: {(ledger + portal) * 1000:.0f} ms for both")


if __name__ == "__main__":
    main()
