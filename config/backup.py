"""`make backup` and `make restore`: the whole database plus the media files.

    python -m config.backup backup [--to DIR]      → DIR (default var/backups/<UTC time>/)
    python -m config.backup restore [--from DIR]   ← DIR (default: the newest backup)

PostgreSQL is dumped with `pg_dump --format=custom` and restored with `pg_restore --clean
--if-exists --no-owner`, so every table comes back as it was: documents with their reversion
history (Revision, Version, EditMeta), comments, baselines, Wagtail pages, users. SQLite is
copied with its online backup API (a consistent copy while the site runs), not with
dumpdata/loaddata, which would renumber content types that reversion's versions point at.
Media (MEDIA_ROOT) goes into media.tar.gz and the documents' attachments (ATTACHMENTS_ROOT) into
attachments.tar.gz; each is put back whole. Stop the web server and the
workers before a restore.
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path


def _settings():
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    django.setup()
    from django.conf import settings

    return settings


def _pg_env(database: dict) -> tuple[list[str], dict]:
    args = [
        "--host",
        database.get("HOST") or "127.0.0.1",
        "--port",
        str(database.get("PORT") or 5432),
    ]
    if database.get("USER"):
        args += ["--username", database["USER"]]
    env = {**os.environ}
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    return args, env


def _sqlite_connection(connection) -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


def backup(target: Path) -> Path:
    settings = _settings()
    from django.db import connection

    target.mkdir(parents=True, exist_ok=True)
    database = connection.settings_dict
    if connection.vendor == "postgresql":
        args, env = _pg_env(database)
        subprocess.run(  # noqa: S603 - PostgreSQL's client tools, from PATH on purpose
            [  # noqa: S607
                "pg_dump",
                "--format=custom",
                "--file",
                str(target / "database.dump"),
                *args,
                database["NAME"],
            ],
            check=True,
            env=env,
        )
    elif connection.vendor == "sqlite":
        destination = sqlite3.connect(target / "database.sqlite3")
        with destination:
            _sqlite_connection(connection).backup(destination)
        destination.close()
    else:
        raise SystemExit(f"no backup for a {connection.vendor} database")
    for name, root in _file_trees(settings):
        with tarfile.open(target / f"{name}.tar.gz", "w:gz") as archive:
            if root.exists():
                archive.add(root, arcname=name)
    return target


def _file_trees(settings) -> list[tuple[str, Path]]:
    """The folders a backup keeps besides the database: the media, and the documents'
    attachments (which have no public address, so they live apart from the media)."""
    trees = [("media", Path(settings.MEDIA_ROOT))]
    attachments = getattr(settings, "ATTACHMENTS_ROOT", None)
    if attachments:
        trees.append(("attachments", Path(attachments)))
    return trees


def restore(source: Path) -> None:
    settings = _settings()
    from django.db import connection

    database = connection.settings_dict
    if connection.vendor == "postgresql":
        dump = source / "database.dump"
        if not dump.exists():
            raise SystemExit(f"{dump} is missing: not a PostgreSQL backup")
        connection.close()
        args, env = _pg_env(database)
        subprocess.run(  # noqa: S603 - PostgreSQL's client tools, from PATH on purpose
            [  # noqa: S607
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                database["NAME"],
                *args,
                str(dump),
            ],
            check=True,
            env=env,
        )
    elif connection.vendor == "sqlite":
        copy = source / "database.sqlite3"
        if not copy.exists():
            raise SystemExit(f"{copy} is missing: not a SQLite backup")
        origin = sqlite3.connect(copy)
        with origin:
            origin.backup(_sqlite_connection(connection))
        origin.close()
    else:
        raise SystemExit(f"no restore for a {connection.vendor} database")
    for name, root in _file_trees(settings):
        packed = source / f"{name}.tar.gz"
        if name != "media" and not packed.exists():
            continue  # a backup made before Stip kept attachments
        with tempfile.TemporaryDirectory() as unpacked, tarfile.open(packed) as archive:
            archive.extractall(unpacked, filter="data")
            if root.exists():
                shutil.rmtree(root)
            restored = Path(unpacked) / name
            if restored.exists():
                shutil.copytree(restored, root)
            else:
                root.mkdir(parents=True)


def newest_backup(root: Path) -> Path:
    backups = sorted(p for p in root.glob("*") if p.is_dir())
    if not backups:
        raise SystemExit(f"no backup in {root}")
    return backups[-1]


def main(argv: list[str]) -> None:
    root = Path(__file__).resolve().parent.parent / "var" / "backups"
    parser = argparse.ArgumentParser(prog="python -m config.backup")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("backup").add_argument("--to", type=Path)
    commands.add_parser("restore").add_argument("--from", dest="source", type=Path)
    options = parser.parse_args(argv)
    if options.command == "backup":
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        print(f"Backup written to {backup(options.to or root / stamp)}")
    else:
        source = options.source or newest_backup(root)
        restore(source)
        print(f"Restored from {source}")


if __name__ == "__main__":
    main(sys.argv[1:])
