"""manage.py backup / restore: one archive of the database and MEDIA_ROOT with a manifest; a restore into a
fresh database and folder has the same counts and file hashes; damaged archives and used targets are refused
and change nothing. SQLite here (make test); the PostgreSQL round trip with pg_dump is marked postgres."""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from core.history import record_change
from core.models import ChangeRecord


def _hashes(root):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _sqlite_counts(path):
    db = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: db.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}
    finally:
        db.close()


@pytest.fixture
def media(settings, tmp_path):
    root = tmp_path / "media"
    (root / "equipment" / "photos").mkdir(parents=True)
    (root / "reports" / "2026").mkdir(parents=True)
    (root / "equipment" / "photos" / "站所照片-1.jpg").write_bytes(os.urandom(50_000))
    (root / "reports" / "2026" / "sign_for.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(20_000))
    (root / "signed.png").write_bytes(b"\x89PNG" + os.urandom(3_000))
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def archive(transactional_db, org, make_user, province_user, media, tmp_path):
    user = make_user("city", "430100")
    record_change(
        actor=province_user, obj=user, action=ChangeRecord.Action.UPDATE, before={"x": 1}, after={"x": 2}
    )
    out = io.StringIO()
    target = tmp_path / "backup.tar.gz"
    call_command("backup", "--output", str(target), stdout=out)
    assert "files" in out.getvalue()
    return target


def _restore(tmp_path, archive, *args, name="fresh"):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "CELERY_BROKER_URL", "QM_EMBEDDED", "MEDIA_ROOT"}
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / f'{name}.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / f"{name}-media"),
        QM_VAR_DIR=str(tmp_path / f"{name}-var"),
    )
    return subprocess.run(
        [sys.executable, "manage.py", "restore", str(archive), *args],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


@pytest.mark.embedded  # the SQLite archive; PostgreSQL has its own round trip below
def test_the_archive_holds_a_manifest_the_database_and_every_file(archive, media):
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = set(tar.getnames())
    assert manifest["engine"] == "sqlite" and manifest["format"] == 1
    assert manifest["tables"]["personnel_orgunit"] > 100
    assert manifest["tables"]["core_changerecord"] >= 1
    assert {f["path"]: f["sha256"] for f in manifest["media"]} == _hashes(media)
    assert {"manifest.json", "database.sqlite3", "media/equipment/photos/站所照片-1.jpg"} <= names


@pytest.mark.embedded  # the SQLite archive; PostgreSQL has its own round trip below
def test_restore_into_a_fresh_database_and_folder_gives_the_same_counts_and_hashes(archive, media, tmp_path):
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    out = _restore(tmp_path, archive)
    assert out.returncode == 0, out.stderr
    assert "counts and checksums match" in out.stdout
    assert _sqlite_counts(tmp_path / "fresh.sqlite3") == manifest["tables"]
    assert _hashes(tmp_path / "fresh-media") == _hashes(media)
    # the restored database is one Django reads: the users are there, with their passwords
    db = sqlite3.connect(tmp_path / "fresh.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM auth_user").fetchone()[0] == manifest["tables"]["auth_user"] >= 2
    db.close()


@pytest.mark.embedded  # the SQLite archive; PostgreSQL has its own round trip below
def test_a_target_with_data_is_refused_unless_forced(archive, tmp_path):
    assert _restore(tmp_path, archive).returncode == 0
    (tmp_path / "fresh-media" / "added-after.txt").write_text("a file made after the restore")
    again = _restore(tmp_path, archive)
    assert again.returncode != 0 and "the target is not empty" in again.stderr
    assert (tmp_path / "fresh-media" / "added-after.txt").exists()  # nothing changed
    forced = _restore(tmp_path, archive, "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (tmp_path / "fresh-media" / "added-after.txt").exists()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("fresh-media.before-restore-")]
    assert len(kept) == 1 and (kept[0] / "added-after.txt").exists()  # the replaced folder is kept


def _rewrite(archive, target, change):
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


@pytest.mark.embedded  # the SQLite archive; PostgreSQL has its own round trip below
def test_a_damaged_archive_is_refused_before_anything_changes(archive, tmp_path):
    damaged = tmp_path / "damaged.tar.gz"
    _rewrite(archive, damaged, lambda name, data: data[:-1] + b"!" if name.endswith(".pdf") else data)
    out = _restore(tmp_path, damaged)
    assert out.returncode != 0 and "checksum differs" in out.stderr
    assert not (tmp_path / "fresh-media").exists()
    assert _sqlite_counts(tmp_path / "fresh.sqlite3") == {}  # the fresh database stayed empty
    missing = tmp_path / "missing.tar.gz"
    _rewrite(archive, missing, lambda name, data: None if name.endswith(".png") else data)
    out = _restore(tmp_path, missing, name="other")
    assert out.returncode != 0 and "missing from the archive" in out.stderr
    with tarfile.open(tmp_path / "x.tar.gz", "w:gz") as tar:  # a member outside the manifest, climbing out
        with tarfile.open(archive) as src:
            for member in src:
                tar.addfile(member, src.extractfile(member))
        info = tarfile.TarInfo("../../escape.txt")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    out = _restore(tmp_path, tmp_path / "x.tar.gz", name="third")
    assert out.returncode != 0 and "not in the manifest" in out.stderr
    assert not (tmp_path.parent / "escape.txt").exists()


@pytest.mark.embedded  # the SQLite archive; PostgreSQL has its own round trip below
def test_backup_refuses_to_overwrite_and_restore_needs_a_file(archive, tmp_path):
    with pytest.raises(CommandError, match="exists"):
        call_command("backup", "--output", str(archive))
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "nothing.tar.gz"))
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="not a backup archive"):
        call_command("restore", str(tmp_path / "junk.tar.gz"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_round_trip_with_pg_dump(org, make_user, media, tmp_path):
    """make test-services: pg_dump in the counts' snapshot, pg_restore into a fresh database."""
    from django.db import connection

    from core.backup import _pg_env, _pg_url, verify

    make_user("city", "430100")
    target = tmp_path / "pg.tar.gz"
    call_command("backup", "--output", str(target))
    with tarfile.open(target) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        assert "database.pgdump" in tar.getnames()
    assert manifest["engine"] == "postgresql" and manifest["tables"]["personnel_orgunit"] > 100
    fresh = f"{connection.settings_dict['NAME']}_restore"
    admin_url = _pg_url().rsplit("/", 1)[0] + "/postgres"
    subprocess.run(["psql", admin_url, "-c", f'DROP DATABASE IF EXISTS "{fresh}"'], env=_pg_env(), check=True)
    subprocess.run(["psql", admin_url, "-c", f'CREATE DATABASE "{fresh}"'], env=_pg_env(), check=True)
    try:
        env = {k: v for k, v in os.environ.items() if k not in {"MEDIA_ROOT"}}
        env.update(
            DATABASE_URL=_pg_url().rsplit("/", 1)[0] + f"/{fresh}",
            MEDIA_ROOT=str(tmp_path / "pg-media"),
            QM_VAR_DIR=str(tmp_path / "pg-var"),
        )
        out = subprocess.run(
            [sys.executable, "manage.py", "restore", str(target)],
            env=env,
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stderr
        assert _hashes(tmp_path / "pg-media") == _hashes(media)
        assert verify(manifest) == []  # and the source still matches its own manifest
    finally:
        subprocess.run(["psql", admin_url, "-c", f'DROP DATABASE IF EXISTS "{fresh}"'], env=_pg_env())
