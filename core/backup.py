"""Backup and restore of the database and MEDIA_ROOT together, as one archive (`manage.py backup` / `restore`).

The archive is a gzipped tar:

    manifest.json      format, time, engine, row counts per table, and every file with its size and SHA-256
    database.sqlite3   SQLite: a copy made with SQLite's online backup API (consistent while pages write)
    database.pgdump    PostgreSQL: pg_dump's custom format, taken in the very snapshot the counts were read in
    media/…            the files under MEDIA_ROOT (photos, signed sheets, reports)

A restore checks every checksum before it touches anything, refuses a target that holds data unless told
(`force`), then puts the database and the files in place and counts again: the counts must be the manifest's.
The media folder it replaces is kept beside it (`<media>.before-restore-<time>`), never deleted.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20
# tables that `migrate` and `setup_schedules` fill by themselves: rows there do not make a target "in use"
SET_UP_TABLES = ("django_migrations", "django_content_type", "auth_permission", "django_celery_beat_")
SKIPPED_MEDIA = (".healthz-",)  # /healthz's probe files, there for a millisecond


class BackupError(Exception):
    """Something the operator must act on; the message says what, and nothing was changed."""


@dataclass
class Summary:
    tables: int
    rows: int
    files: int
    bytes: int


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"backup knows SQLite and PostgreSQL, not {vendor}")
    return vendor


def _pg_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or ""
    auth = f"{user}@" if user else ""
    host = db.get("HOST") or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{db['NAME']}"


def _pg_env() -> dict:
    env = dict(os.environ)
    if connection.settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
    return env


def table_counts(cursor, tables) -> dict[str, int]:
    quote = connection.ops.quote_name
    out = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection
        out[table] = cursor.fetchone()[0]
    return out


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}  # noqa: S608
    finally:
        db.close()


def media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink() and not p.name.startswith(SKIPPED_MEDIA)
    )


def _dump_database(work: Path) -> tuple[str, dict[str, int]]:
    """The database into `work`; returns the file's name and the row counts of that very copy."""
    if _engine() == "sqlite":
        target = work / "database.sqlite3"
        connection.ensure_connection()
        dst = sqlite3.connect(target)
        try:
            connection.connection.backup(dst)  # SQLite's online backup: one consistent copy
        finally:
            dst.close()
        return target.name, _sqlite_counts(target)
    target = work / "database.pgdump"
    if shutil.which("pg_dump") is None:
        raise BackupError("pg_dump is not installed (apt-get install postgresql-client)")
    with connection.cursor() as cursor:
        # count and dump in one snapshot: the counts are exactly what the dump holds
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor, connection.introspection.table_names(cursor))
            result = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                    _pg_url(),
                ],
                env=_pg_env(),
                capture_output=True,
                text=True,
            )
        finally:
            cursor.execute("ROLLBACK")
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target.name, counts


def backup(*, output: Path) -> Summary:
    """Write the archive to `output` (made under a temporary name, then renamed: a whole archive or none)."""
    output = Path(output)
    if output.exists():
        raise BackupError(f"{output} exists: choose a new name")
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".qm-backup-") as tmp:
        work = Path(tmp)
        db_name, counts = _dump_database(work)
        files = []
        for path in media_files(media_root):
            rel = path.relative_to(media_root).as_posix()
            files.append({"path": rel, "size": path.stat().st_size, "sha256": sha256_file(path)})
        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "engine": _engine(),
            "database": {"file": db_name, "sha256": sha256_file(work / db_name)},
            "tables": counts,
            "media": files,
        }
        partial = work / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / db_name, arcname=db_name)
            for entry in files:
                tar.add(media_root / entry["path"], arcname=f"media/{entry['path']}")
        os.chmod(partial, 0o600)  # it holds ID numbers and password hashes
        partial.replace(output)
    return Summary(
        tables=len(counts), rows=sum(counts.values()), files=len(files), bytes=sum(f["size"] for f in files)
    )


def _safe_member(name: str) -> bool:
    path = Path(name)
    return not path.is_absolute() and ".." not in path.parts


def _unpack_and_verify(archive: Path, work: Path) -> dict:
    """Extract into `work`, checking every file against the manifest. Raises before anything is changed."""
    try:
        tar = tarfile.open(archive, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{archive} is not a backup archive: {exc}") from None
    with tar:
        try:
            manifest = json.load(tar.extractfile(MANIFEST))
        except (KeyError, ValueError):
            raise BackupError(f"{archive} has no readable {MANIFEST}") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown archive format {manifest.get('format')!r}")
        expected = {manifest["database"]["file"]: manifest["database"]["sha256"]}
        expected.update({f"media/{f['path']}": f["sha256"] for f in manifest["media"]})
        seen = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile() or not _safe_member(member.name):
                raise BackupError(f"{member.name}: not in the manifest")
            target = work / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with tar.extractfile(member) as src, open(target, "wb") as dst:
                while block := src.read(CHUNK):
                    digest.update(block)
                    dst.write(block)
            if digest.hexdigest() != expected[member.name]:
                raise BackupError(f"{member.name}: checksum differs from the manifest (damaged archive)")
            seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError(f"missing from the archive: {', '.join(missing[:5])}")
    return manifest


def target_in_use() -> list[str]:
    """What the current database and MEDIA_ROOT already hold (empty: a fresh target)."""
    found = []
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith(SET_UP_TABLES)]
        for table, count in table_counts(cursor, tables).items():
            if count:
                found.append(f"{table}: {count} rows")
    files = media_files(Path(settings.MEDIA_ROOT))
    if files:
        found.append(f"{settings.MEDIA_ROOT}: {len(files)} files")
    return found


def _restore_database(manifest: dict, work: Path) -> None:
    db_file = work / manifest["database"]["file"]
    if manifest["engine"] != _engine():
        raise BackupError(f"the archive is of {manifest['engine']}, this database is {_engine()}")
    if manifest["engine"] == "sqlite":
        connection.ensure_connection()
        src = sqlite3.connect(db_file)
        try:
            src.backup(connection.connection)  # replaces every page of the target, in one step
        finally:
            src.close()
        connection.close()
        return
    if shutil.which("pg_restore") is None:
        raise BackupError("pg_restore is not installed (apt-get install postgresql-client)")
    connection.close()
    # --clean --if-exists: a target that `migrate` made (tables, no data) takes the archive's tables too
    argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error", "--single-transaction"]
    argv += ["-d", _pg_url()]
    result = subprocess.run([*argv, str(db_file)], env=_pg_env(), capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_media(work: Path) -> Path | None:
    """Put the archive's media folder in place; the one it replaces is kept beside it. Returns that one."""
    media_root = Path(settings.MEDIA_ROOT)
    fresh = work / "media"
    fresh.mkdir(exist_ok=True)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}.restoring-"))
    staged.rmdir()
    shutil.copytree(fresh, staged)  # same file system as MEDIA_ROOT, so the swap below is two renames
    kept = None
    if media_root.exists():
        kept = media_root.with_name(
            f"{media_root.name}.before-restore-{datetime.datetime.now():%Y%m%d-%H%M%S}"
        )
        media_root.rename(kept)
    staged.rename(media_root)
    return kept


def restore(*, archive: Path, force: bool = False) -> dict:
    """Restore the archive into the configured database and MEDIA_ROOT, verified before and after."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"{archive}: no such file")
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=media_root.parent, prefix=".qm-restore-") as tmp:
        work = Path(tmp)
        manifest = _unpack_and_verify(archive, work)
        if manifest["engine"] != _engine():
            raise BackupError(f"the archive is of {manifest['engine']}, this database is {_engine()}")
        in_use = target_in_use()
        if in_use and not force:
            raise BackupError(
                "the target is not empty (" + "; ".join(in_use[:5]) + "): restore into a fresh database and "
                "MEDIA_ROOT, or pass --force to replace them"
            )
        _restore_database(manifest, work)
        kept = _restore_media(work)
    for conn in connections.all():
        conn.close()
    check = verify(manifest)
    if check:
        raise BackupError("restored, but it differs from the manifest: " + "; ".join(check[:10]))
    return {
        "tables": len(manifest["tables"]),
        "rows": sum(manifest["tables"].values()),
        "files": len(manifest["media"]),
        "kept_media": str(kept) if kept else "",
    }


def verify(manifest: dict) -> list[str]:
    """Differences between the live database + MEDIA_ROOT and a manifest (empty: the same)."""
    problems = []
    with connection.cursor() as cursor:
        live_tables = set(connection.introspection.table_names(cursor))
        wanted = {t: n for t, n in manifest["tables"].items() if t in live_tables}
        problems += [f"table {t} missing" for t in manifest["tables"] if t not in live_tables]
        for table, count in table_counts(cursor, wanted).items():
            if count != wanted[table]:
                problems.append(f"{table}: {count} rows, the manifest says {wanted[table]}")
    media_root = Path(settings.MEDIA_ROOT)
    for entry in manifest["media"]:
        path = media_root / entry["path"]
        if not path.is_file():
            problems.append(f"media/{entry['path']} missing")
        elif sha256_file(path) != entry["sha256"]:
            problems.append(f"media/{entry['path']}: checksum differs")
    return problems
