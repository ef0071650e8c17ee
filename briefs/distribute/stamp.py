"""Per-recipient editions: lay a brief out once, stamp it for many recipients, log every file.

The base PDF comes from the ordinary (incremental) build. A recipient's stamp is one line at the
foot of every page ("Prepared for …" / "仅供…使用"), set in the edition's sans font with HarfBuzz
(:mod:`briefs.distribute.lettering`), and each copy is the base PDF's bytes followed by an
incremental update that adds the stamp (:mod:`briefs.distribute.increment`): no brief is laid out
again, and no base is re-saved, per recipient. The update also carries the recipient's id (in the
stamp and in the document information), so two recipients of the same name and organisation
still get copies that differ.

Every copy gets its line in ``<out>/distribution.jsonl`` (see :mod:`briefs.distribute.log`), the
record compliance keeps, before it has its final name. Copies are committed in batches (one
stamping task's recipients): each copy of the batch is written under a temporary name and
fsynced, then the batch's lines are appended with one write and one fsync, and only then are the
copies renamed to their final names. A copy is therefore never under its final name without its
line; an interruption between the two steps leaves lines whose copies were never released
(harmless, as the log's documentation says), never the other way round.

The distribution list (who gets a copy, and what their stamp may say) is :mod:`briefs.distribute.recipients`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefs.distribute.faces import unprintable
from briefs.distribute.increment import Base, kept, prepared, update
from briefs.distribute.lettering import Lettering, StampError, letter
from briefs.distribute.log import COPY_LIMIT, LOG_NAME, LogWriter, copy_file, hash_file
from briefs.distribute.recipients import Recipient
from briefs.errors import Diagnostic, Diagnostics, OutputError, SourceLocation
from briefs.load.discover import discover
from briefs.load.project import load_project, unreleasable
from briefs.localize.i18n import Edition, translations
from briefs.pipeline.incremental import Manifest
from briefs.pipeline.outputs import COPIES, document_name, document_path
from briefs.pipeline.write import discard, output_lock, release, stage, sync_staged
from briefs.project.config import ProjectConfig
from briefs.render.fonts import FONTS
from briefs.render.theme import theme_of
from briefs.source.safefiles import Unsafe, read_bytes

if TYPE_CHECKING:
    from briefs.pipeline.planning import Document

Source = tuple[Path | bytes, str]  # a base PDF (its path; its bytes on a cluster) and its SHA-256


@dataclass
class DistributionResult:
    """Stamped files written, with the log lines appended, and what was repaired on the way."""

    written: list[Path] = field(default_factory=list)
    log: list[dict[str, str]] = field(default_factory=list)
    notes: list[Diagnostic] = field(default_factory=list)  # warnings: a torn line, unlogged copies
    count: int = 0  # copies written (also when they are handed to ``on_copy`` rather than listed)


def stamp_pdf(config: ProjectConfig, edition: Edition, recipient: Recipient) -> Lettering:
    """The recipient's stamp: a discreet line at the foot of every page, in the edition's wording."""
    tr = translations(theme_of(config), edition)
    text = tr.gettext("Prepared for %(name)s, %(organisation)s. Not for onward distribution.") % {
        "name": recipient.name,
        "organisation": recipient.organisation,
    }
    return letter(text, FONTS[edition.lang].sans, edition.lang)


def refusal(manifest: Manifest, document: Document, base: Path, data: bytes) -> Diagnostic | None:
    """Why a base PDF may not be sent, or None; decided from the brief's approval in the model
    and the manifest's record of the build, never from anything a template writes.

    A draft brief is refused; so is a PDF the manifest does not list, one whose bytes are not
    those recorded, one recorded as built from a draft, and one not built from the current
    inputs (its recorded HTML is not the HTML these inputs render to).
    """
    name = base.name
    if document.draft:  # a draft never leaves the house
        return Diagnostic(
            SourceLocation(document.source, 1, 1),
            f"brief '{document.brief_id}' is not approved: {name} is a draft; add "
            "the compliance approval and rebuild before distributing",
        )
    entry = manifest.outputs.get(f"{document.brief_id}/{name}")
    if entry is None:
        why = "not built by briefs (the manifest does not list it)"
    elif entry.sha256 != hashlib.sha256(data).hexdigest():
        why = "not the file briefs built (its SHA-256 is not the one in the manifest)"
    elif manifest.draft(f"{document.brief_id}/{name}") is not False:
        why = "built as a draft (so says the manifest), before the brief was approved"
    elif entry.inputs.get("html") != document.html_key:
        why = "not built from the current inputs"
    else:
        return None
    return Diagnostic(SourceLocation(base), f"base PDF {why}; build it again before distributing")


def stamp_one(config: ProjectConfig, edition: Edition, bases: Sequence[Source], recipient: Recipient) -> list[bytes]:
    """One recipient's work: their stamp drawn once, and for each base PDF the update that makes
    the copy when appended to it (the caller writes base + update, logs and releases it). Runs
    here, in a local worker or on a Dask worker; the same arguments give the same bytes wherever
    and however often it runs."""
    stamp = stamp_pdf(config, edition, recipient)
    return [update(_prepared(source), stamp, recipient.id) for source in bases]


def _prepared(source: Source) -> Base:
    """A base PDF (its path, or its bytes on a cluster) parsed once per worker and kept by the
    SHA-256 the main process checked it has; read again only when it is not kept yet."""
    data, digest = source
    base = kept(digest)
    if base is None:
        base = prepared(data if isinstance(data, bytes) else data.read_bytes())
        if base.digest != digest:
            raise StampError("a base PDF changed while it was being stamped (its SHA-256 is not the one checked)")
    return base


def distribute(
    config: ProjectConfig,
    paths: Sequence[Path],
    out: Path,
    recipients: Iterable[Recipient],
    now: dt.datetime | None = None,
    jobs: int = 1,
    *,
    scheduler: str | None = None,
    on_copy: Callable[[Path, dict[str, str]], None] | None = None,
    timeout: float | None = None,
) -> DistributionResult:
    """Stamp each brief's base PDF for each recipient, logging each copy as it is made.

    With ``jobs`` > 1 the recipients are shared out among warm PDF workers, with ``scheduler``
    among the workers of that Dask cluster, in tasks of up to
    :data:`~briefs.distribute.dispatch.BATCH` recipients (each recipient's stamp is drawn once
    for all of their briefs); the copies are written and logged here, a batch at a time, in the
    same order either way: recipient by recipient, brief by brief (see
    :mod:`briefs.distribute.dispatch`). A recipient whose name or organisation the stamp cannot
    print is a :class:`~briefs.errors.ContentError` before anything is sent.

    ``recipients`` may be a :class:`~briefs.distribute.listing.RecipientFile`, read as a stream.
    With ``on_copy``, each copy is handed to it as it is made (its path and log line) and the
    result lists none (only their :attr:`DistributionResult.count`): memory stays flat however
    long the list. ``timeout`` bounds each recipient's stamping (default
    :data:`~briefs.distribute.dispatch.STAMP_SECONDS`); a recipient over it stops the run.
    """
    # The output folder is held throughout, so no build can replace a base PDF between its draft
    # check, its stamping and the version hash logged for it: the log names what was sent.
    with output_lock(out):
        log = LogWriter(out)
        try:
            return _distribute(config, paths, out, recipients, now, jobs, log, scheduler, on_copy, timeout)
        finally:
            log.close()


def _distribute(
    config: ProjectConfig,
    paths: Sequence[Path],
    out: Path,
    recipients: Iterable[Recipient],
    now: dt.datetime | None,
    jobs: int,
    log: LogWriter,
    scheduler: str | None,
    on_copy: Callable[[Path, dict[str, str]], None] | None,
    timeout: float | None,
) -> DistributionResult:
    from briefs.distribute.dispatch import STAMP_SECONDS, failure, stamp_all
    from briefs.distribute.listing import RecipientFile
    from briefs.pipeline.planning import edition

    result = DistributionResult(notes=[*log.notes, *_remove_unlogged(out, log.recorded())])
    sources = discover(config, paths)
    briefs = [source.parent.name for source in sources]
    # The editions in the project's order, as the build before this made them: a document's HTML
    # (its links to the other editions) depends on that order, and so does its recorded key.
    if isinstance(recipients, RecipientFile):
        langs: Sequence[str] = recipients.langs
    else:
        recipients = list(recipients)
        langs = [lang for lang in config.editions if any(r.lang == lang for r in recipients)]
    if not isinstance(recipients, RecipientFile):
        _check_printable(recipients)
    checked = _check_bases(config, paths, out, sources, langs)
    # Tasks of up to BATCH recipients each, carrying their editions' base PDFs; the recipients
    # are read as the tasks go out, and each task's copies come back in the recipients' order.
    bases = {lang: [document_path(out, b, lang, "pdf") for b in briefs] for lang in langs}
    sources_of = {
        lang: [(path if scheduler is None else checked[path][0], checked[path][1]) for path in bases[lang]]
        for lang in langs
    }
    shared = {lang: (config, edition(config, lang), sources_of[lang]) for lang in langs}
    # Each copy's SHA-256 is the base's, carried on over the update: the base is hashed once.
    prefixes = {path: hashlib.sha256(data) for path, (data, _) in checked.items()}
    sent: deque[Recipient] = deque()

    def calls() -> Iterator[tuple[str, Recipient]]:
        for recipient in recipients:
            sent.append(recipient)
            yield recipient.lang, recipient

    def copy_of(recipient: Recipient, brief_id: str, base: Path, tail: bytes) -> tuple[Path, bytes, dict[str, str]]:
        target = out / copy_file(brief_id, recipient.lang, recipient.id)
        digest = prefixes[base].copy()
        digest.update(tail)
        entry = {
            "time": (now or dt.datetime.now(dt.UTC)).isoformat(timespec="seconds"),
            "brief": brief_id,
            "lang": recipient.lang,
            "version": checked[base][1],
            "recipient": recipient.id,
            "name": recipient.name,
            "organisation": recipient.organisation,
            "file": target.relative_to(out).as_posix(),
            "sha256": digest.hexdigest(),
        }
        return target, checked[base][0] + tail, entry

    stamped = stamp_all(stamp_one, calls(), shared, jobs, scheduler, timeout or STAMP_SECONDS)
    try:
        for batch in stamped:
            made = []
            for tails in batch.copies:
                recipient = sent.popleft()
                made += [
                    copy_of(recipient, brief_id, base, tail)
                    for brief_id, base, tail in zip(briefs, bases[recipient.lang], tails, strict=True)
                ]
            committed, problem = _commit(log, made)
            for target, entry in committed:
                result.count += 1
                if on_copy is not None:
                    on_copy(target, entry)
                else:
                    result.written.append(target)
                    result.log.append(entry)
            if problem is not None:
                raise problem
            if batch.error:
                raise failure(batch.error)
    finally:
        stamped.close()
    return result


def _commit(
    log: LogWriter, made: list[tuple[Path, bytes, dict[str, str]]]
) -> tuple[list[tuple[Path, dict[str, str]]], OutputError | None]:
    """Write a batch of copies: each under a temporary name, then all fsynced (concurrently); then
    their lines, with one write and one fsync; then each copy under its final name. Whatever stops it, no copy has its
    final name before its line is on disk. A copy that cannot be written (a full disk) ends the
    batch there: the copies before it are committed, and the error is returned to be raised."""
    staged: list[Path] = []
    problem = None
    try:
        for target, data, _ in made:
            try:
                staged.append(stage(target, data, sync=False))
            except OutputError as exc:
                problem = exc
                break
        made = made[: len(staged)]
        sync_staged(staged)  # every copy on disk before any line names it
        log.extend([entry for _, _, entry in made])  # the lines, fsynced, before any copy has its name
        for index, (tmp, (target, _, _)) in enumerate(zip(staged, made, strict=True)):
            release(tmp, target)
            staged[index] = target
    except BaseException:
        for tmp, (target, _, _) in zip(staged, made, strict=False):
            if tmp != target:
                discard(tmp)
        raise
    return [(target, entry) for target, _, entry in made], problem


def _check_printable(recipients: Sequence[Recipient]) -> None:
    """Every recipient's name and organisation printable in their stamp, before anything is sent
    (a list read from a file is checked, at its lines, as it is read)."""
    problems = Diagnostics()
    for recipient in recipients:
        for field_name in ("name", "organisation"):
            why = unprintable(recipient.lang, getattr(recipient, field_name))
            if why:
                problems.error(SourceLocation(Path(f"recipient {recipient.id}")), f"{field_name}: {why}")
    problems.raise_if_errors()


def _check_bases(
    config: ProjectConfig, paths: Sequence[Path], out: Path, sources: Sequence[Path], langs: Sequence[str]
) -> dict[Path, tuple[bytes, str]]:
    """Every base PDF checked before anything is written (approved, built by briefs from the
    current inputs as recorded in the manifest, a plain file, and a folder of briefs' own for
    the copies); returns each one's bytes (every copy begins with them) and SHA-256 (the logged
    version). They are held for the run: their sum, whatever the number of recipients."""
    from briefs.pipeline.planning import iter_plan

    manifest = Manifest.load(out)
    project = load_project(config, paths)
    # Each brief rendered to HTML again (cheap; no PDF): its approval, and the HTML key its base
    # PDF must have been built from. A page links the editions built with it, so it is planned
    # with the editions its build recorded (the recipients' when the manifest does not say).
    plans: dict[tuple[str, ...], dict[tuple[str, str], Document]] = {}

    def planned(brief_id: str, lang: str) -> Document:
        entry = manifest.outputs.get(document_name(brief_id, lang, "pdf"))
        recorded = entry.inputs.get("editions") if entry is not None else None
        editions = tuple(recorded.split(",")) if recorded else tuple(langs)
        if lang not in editions or not set(editions) <= set(config.editions):
            editions = tuple(langs)
        if editions not in plans:
            plans[editions] = {(d.brief_id, d.lang): d for d in iter_plan(project, editions)}
        return plans[editions][(brief_id, lang)]

    problems = Diagnostics()
    problems.extend(unreleasable(project))  # e.g. a placeholder still to fill in (rule placeholders)
    versions: dict[Path, tuple[bytes, str]] = {}
    for source in sources:
        brief_id = source.parent.name
        folder = out / brief_id / COPIES
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            problems.error(
                SourceLocation(folder),
                "cannot write here: not a folder briefs made (a "
                "symbolic link or a file); copies go only into briefs' own folder",
            )
        for lang in langs:
            base_path = document_path(out, brief_id, lang, "pdf")
            try:
                data = read_bytes(base_path, COPY_LIMIT)
            except Unsafe as exc:
                problems.error(
                    SourceLocation(base_path),
                    "base PDF missing; build it first" if exc.reason == "not found" else f"base PDF {exc.reason}",
                )
                continue
            refused = refusal(manifest, planned(brief_id, lang), base_path, data)
            if refused is not None:
                problems.extend([refused])
            versions[base_path] = (data, hashlib.sha256(data).hexdigest())
    problems.raise_if_errors()
    return versions


def _remove_unlogged(out: Path, recorded: set[tuple[str, str]]) -> list[Diagnostic]:
    """Remove every copy (``<id>/distribution/<id>.<lang>.<recipient>.pdf``) whose content has no
    line for its name in the log: a copy nobody can trace must not be there to be sent. Only
    regular files with a copy's name, in real folders, are looked at; nothing else is touched."""
    notes = []
    for brief in sorted(out.iterdir()):
        folder = brief / COPIES
        if brief.name.startswith(".") or brief.is_symlink() or folder.is_symlink() or not folder.is_dir():
            continue
        name = re.compile(rf"{re.escape(brief.name)}\.[A-Za-z0-9-]+\.[a-z0-9-]+\.pdf")
        for copy in sorted(folder.iterdir()):
            if not name.fullmatch(copy.name) or not stat.S_ISREG(copy.lstat().st_mode):
                continue
            try:
                digest = hash_file(copy)
            except Unsafe:
                continue
            if (copy.relative_to(out).as_posix(), digest) not in recorded:
                try:
                    copy.unlink()
                except OSError as exc:
                    raise OutputError.at(
                        copy, 0, 0, f"a copy with no line in {LOG_NAME}, and it cannot be removed: {exc.strerror}"
                    ) from None
                notes.append(
                    Diagnostic(
                        SourceLocation(copy),
                        f"removed: a copy with no line in "
                        f"{LOG_NAME} (left by an interrupted run, or the log was "
                        "edited); no copy may exist that cannot be traced",
                        "warning",
                    )
                )
    return notes
