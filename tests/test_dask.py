"""--scheduler: the same document tasks on a Dask cluster give the same files as local workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefs.pipeline.run import build
from briefs.project.config import load_config

pytestmark = pytest.mark.pdf
distributed = pytest.importorskip("distributed")


def test_dask_local_cluster_builds_the_same_bytes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740000000")
    config = load_config(project)
    brief = [project / "content" / "compute-etf-note"]
    local = build(config, brief, formats=("pdf",), out=project / "local", jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        remote = build(config, brief, formats=("pdf",), out=project / "dask", scheduler=cluster.scheduler_address)
    assert not remote.failed and len(remote.written) == 2
    for a, b in zip(local.written, remote.written, strict=True):
        assert a.name == b.name
        assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:9", "not an address"])
def test_unreachable_scheduler_is_a_clean_error_before_any_work(project: Path, run_cli,  # type: ignore[no-untyped-def]
                                                                 address: str) -> None:
    result = run_cli(project, "build", "content/compute-etf-note", "--scheduler", address)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"--scheduler: cannot reach the Dask scheduler at {address}" in result.stderr
    assert not list((project / "output").rglob("*.html")), "nothing is built for a cluster that is not there"
