"""Outputs no build writes any more: those of a withdrawn (or renamed) brief, and those of an
edition, format or image a brief no longer has. Removed at the start of a build, so what is
published is only what the current content makes.
"""

from __future__ import annotations

from pathlib import Path

from briefs.load.loaded import Project
from briefs.pipeline.incremental import Manifest
from briefs.pipeline.planning import outputs_of
from briefs.pipeline.write import cannot_write
from briefs.plugins import registry
from briefs.project.config import ProjectConfig
from briefs.source.yamlsource import locate


def remove_withdrawn(config: ProjectConfig, project: Project, manifest: Manifest) -> list[Path]:
    """Delete the outputs on record that no build of the project writes any more; returns them.

    Those are every output of a brief whose folder is gone (withdrawn, or renamed), and, for the
    briefs just loaded, any file that none of their editions and formats writes (an edition the
    project dropped, an image the text no longer shows). Otherwise a withdrawn brief would stay
    in the output folder, and be published with it. Files the manifest does not list (the
    distributed copies, anything put there by hand) are never touched.
    """
    present = {p.parent.name for p in config.content.glob("*/brief.yaml")}
    present |= {b.brief.id for b in project.briefs}
    every_format = tuple(registry().formats)  # a format no plugin registers any more: removed
    expected = {b.brief.id: set(outputs_of(b, config.editions, every_format)) for b in project.briefs}
    gone = sorted(
        name
        for name in manifest.outputs
        if (brief_id := name.split("/", 1)[0]) not in present
        or (brief_id in expected and name not in expected[brief_id])
    )
    removed = []
    for name in gone:  # (on an error nothing is saved: the manifest still lists what is left)
        path = manifest.out / name
        located = locate(manifest.out, name)
        if located is None or not located[1]:  # a damaged or hand-edited manifest: forget, never delete
            continue
        try:
            path.unlink(missing_ok=True)
            for folder in path.parents:  # its folder too, once empty
                if folder == manifest.out or any(folder.iterdir()):
                    break
                folder.rmdir()
        except OSError as exc:
            raise cannot_write(path, exc) from None
        removed.append(path)
    manifest.forget(gone, [b for b in manifest.briefs if b not in present])
    return removed
