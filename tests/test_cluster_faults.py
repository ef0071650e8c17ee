"""Faults on a Dask cluster (issue 20): a worker killed mid-build and mid-distribution, a task that hangs.

One LocalCluster of two worker processes serves the module. A fault is put into the workers (not
into this process) by a worker plugin that wraps one function there: the first call for a given
brief or recipient kills the worker process outright (``os._exit``), as the OOM killer would;
the scheduler runs that worker's tasks again on a fresh worker, and the run must end with every
file whole and the same bytes as a clean local run, and the log exact. A hanging call loops until
the time limit stops it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from briefs.distribute.listing import RecipientFile
from briefs.distribute.log import read_log
from briefs.distribute.stamp import distribute
from briefs.errors import RenderError
from briefs.pipeline.run import build
from briefs.project.config import load_config

pytestmark = pytest.mark.pdf
distributed = pytest.importorskip("distributed")
cloudpickle = pytest.importorskip("cloudpickle")
from distributed.diagnostics.plugin import WorkerPlugin  # noqa: E402

BRIEFS = ("compute-etf-note", "wechat-r1-inference")
NOW = __import__("datetime").datetime(2026, 3, 2, 9, 30, tzinfo=__import__("datetime").UTC)


class Fault(WorkerPlugin):  # type: ignore[misc]
    """A worker plugin that wraps ``module.name`` in every worker: for calls whose ``match`` is
    true, ``kill`` ends the process the first time (a marker file says it happened), ``hang``
    loops in Python for ever."""

    def __init__(self, module: str, name: str, how: str, marker: Path, match: Callable[..., bool]) -> None:
        self.module, self.name, self.how, self.marker, self.match = module, name, how, marker, match
        self.real: Any = None

    def setup(self, worker: Any) -> None:
        module = importlib.import_module(self.module)
        self.real = real = getattr(module, self.name)
        fault = self

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if fault.match(*args):
                if fault.how == "hang":
                    while True:
                        pass
                try:
                    os.close(os.open(fault.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    return real(*args, **kwargs)  # run again after the kill: as it should
                os._exit(70)  # the worker process dies mid-task
            return real(*args, **kwargs)

        setattr(module, self.name, wrapped)

    def teardown(self, worker: Any) -> None:
        if self.real is not None:
            setattr(importlib.import_module(self.module), self.name, self.real)


cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the workers need not import tests/


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


@pytest.fixture
def fault(cluster: Any) -> Iterator[Callable[[Fault], None]]:
    client = distributed.Client(cluster.scheduler_address)
    installed = []

    def install(plugin: Fault) -> None:
        client.register_plugin(plugin, name="fault")
        installed.append(plugin)

    yield install
    if installed:
        client.unregister_worker_plugin("fault")
    client.close()


def _render_of(brief: str) -> Callable[..., bool]:
    return lambda html, base_url, *rest: Path(base_url).name == brief


def _stamp_of(recipient: str) -> Callable[..., bool]:
    return lambda config, edition, who: who.id == recipient


def test_a_worker_killed_mid_build_leaves_every_pdf_whole(project: Path, cluster: Any, fault: Any,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740000000")
    config = load_config(project)
    chosen = [project / "content" / b for b in BRIEFS]
    local = build(config, chosen, ("en",), ("pdf",), project / "local", jobs=1)
    fault(Fault("briefs.render.pdf", "render_pdf", "kill", project / "killed", _render_of(BRIEFS[0])))
    remote = build(config, chosen, ("en",), ("pdf",), project / "dask", scheduler=cluster.scheduler_address)
    assert (project / "killed").exists(), "a worker was killed while rendering"
    assert not remote.failed, remote.failed
    assert sorted(p.name for p in remote.written) == sorted(p.name for p in local.written)
    for path in local.written:
        again = project / "dask" / path.relative_to(project / "local")
        assert again.read_bytes() == path.read_bytes()  # whole, and the very bytes of a clean run


def _recipients(project: Path, count: int) -> Path:
    listing = project / "clients.yaml"
    listing.write_text("recipients:\n" + "".join(
        f"  - {{id: client-{i:02d}, name: Client {i:02d}, organisation: Alpha Capital, lang: en}}\n"
        for i in range(count)), "utf-8")
    return listing


@pytest.fixture
def based(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example project with the English base PDF of the first brief built (locally)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1740000000")
    built = build(load_config(project), [project / "content" / BRIEFS[0]], ("en",), ("pdf",), project / "base",
                  jobs=1)
    assert not built.failed
    return project


def _run(project: Path, name: str, **kwargs: Any) -> Path:
    out = project / name
    shutil.copytree(project / "base", out)
    config = load_config(project)
    listing = RecipientFile(config, project / "clients.yaml")
    result = distribute(config, [project / "content" / BRIEFS[0]], out, listing, now=NOW, **kwargs)
    assert result.count == len(listing)
    return out


def test_a_worker_killed_mid_distribution_leaves_the_log_exact(based: Path, cluster: Any, fault: Any) -> None:
    _recipients(based, 6)
    clean = _run(based, "clean", jobs=1)
    fault(Fault("briefs.distribute.stamp", "stamp_pdf", "kill", based / "killed", _stamp_of("client-03")))
    out = _run(based, "dask", scheduler=cluster.scheduler_address)
    assert (based / "killed").exists(), "a worker was killed while stamping"
    record = read_log(out / "distribution.jsonl")
    assert not record.problems and not record.torn
    # Each recipient once, in the list's order, and the log the very bytes of a clean run's.
    assert [e["recipient"] for _, e in record.entries] == [f"client-{i:02d}" for i in range(6)]
    assert (out / "distribution.jsonl").read_bytes() == (clean / "distribution.jsonl").read_bytes()
    made = sorted(p.name for p in (out / BRIEFS[0] / "distribution").iterdir())
    assert made == sorted(p.name for p in (clean / BRIEFS[0] / "distribution").iterdir())
    assert len(made) == 6  # no temporary left behind, no copy twice
    for name in made:
        copy = out / BRIEFS[0] / "distribution" / name
        assert copy.read_bytes() == (clean / BRIEFS[0] / "distribution" / name).read_bytes()


def test_a_hanging_stamp_on_the_cluster_is_stopped_and_reported(based: Path, cluster: Any, fault: Any) -> None:
    _recipients(based, 3)
    fault(Fault("briefs.distribute.stamp", "stamp_pdf", "hang", based / "unused", _stamp_of("client-01")))
    with pytest.raises(RenderError) as stopped:
        _run(based, "dask", scheduler=cluster.scheduler_address, timeout=10)
    message = str(stopped.value)
    assert "distribution.jsonl: stamping took longer than 10 s and was stopped" in message
    assert "the copies made before it are logged" in message
    # The copy before the hanging recipient is made and logged; none after it.
    record = read_log(based / "dask" / "distribution.jsonl")
    assert [e["recipient"] for _, e in record.entries] == ["client-00"]
    assert [p.name for p in (based / "dask" / BRIEFS[0] / "distribution").iterdir()] == [
        f"{BRIEFS[0]}.en.client-00.pdf"]


def test_a_hanging_pdf_on_the_cluster_fails_alone_as_locally(project: Path, cluster: Any, fault: Any) -> None:
    config = load_config(project)
    chosen = [project / "content" / b for b in BRIEFS]
    fault(Fault("briefs.render.pdf", "render_pdf", "hang", project / "unused", _render_of(BRIEFS[0])))
    # 20 s: far above a real brief's layout, even on a loaded machine
    result = build(config, chosen, ("en",), ("pdf",), project / "out", scheduler=cluster.scheduler_address,
                   timeout=20)
    assert len(result.failed) == 1 and BRIEFS[0] in str(result.failed[0].location.path)
    assert "PDF rendering took longer than 20 s and was stopped" in result.failed[0].message
    assert [p.name for p in result.written] == [f"{BRIEFS[1]}.en.pdf"]
