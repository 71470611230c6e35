"""`tierdesk backup` and `tierdesk restore`: every row and every file comes back exactly,
a damaged archive or a non-empty target changes nothing."""

import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from tierdesk.backup.archive import BackupError, dumped_models, row_lines, sha256_of
from tierdesk.backup.operations import backup_instance, database_alias, restore_instance
from tierdesk.cli import main
from tierdesk.customers.models import Organisation
from tierdesk.tickets import attachments, services
from tierdesk.tickets.models import Attachment, Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def history(world):
    """The world's tickets plus a customer reply with a log file attached."""
    reply = services.ticket_reply(ticket=world.ticket, viewer=world.viewer(world.customer.user),
                                  body="Logs attached: ERROR SSO-9001 at 10:02 (é, ع)")
    attachments.attachment_add(ticket=world.ticket, message=reply,
                               viewer=world.viewer(world.customer.user),
                               upload=SimpleUploadedFile("sso.log", b"ERROR SSO-9001\n" * 50))
    return world


def table_hashes(using: str) -> dict[str, tuple[str, int]]:
    return {m._meta.label_lower: sha256_of(row_lines(m, using)) for m in dumped_models()}


def empty_sqlite(tmp_path, name="restored.sqlite3") -> str:
    return database_alias(f"sqlite:///{tmp_path / name}", name=f"restore_{name.split('.')[0]}")


def test_a_backup_restored_into_an_empty_instance_has_the_same_rows_and_files(
        history, tmp_path, settings):
    archive = tmp_path / "tierdesk.zip"
    manifest = backup_instance(archive)
    assert manifest.tables["tickets.ticket"]["rows"] == Ticket.objects.count()
    assert manifest.tables["tickets.ticketevent"]["rows"] == TicketEvent.objects.count()
    original = table_hashes("default")
    stored = Attachment.objects.get()
    original_bytes = stored.file.read()
    stored.file.close()

    # a new instance: fresh database, empty media folder
    target = empty_sqlite(tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media-restored"
    try:
        restore_instance(archive, using=target)
        assert table_hashes(target) == original
        # auto_now_add stamps are the originals, not the time of the restore
        assert (Organisation.objects.using(target).get(external_id="1018").created_at
                == history.org.created_at)
        restored = Attachment.objects.using(target).get()
        with restored.file.open("rb") as handle:
            assert handle.read() == original_bytes
    finally:
        connections[target].close()


def test_restore_refuses_a_target_that_holds_data_and_changes_nothing(history, tmp_path):
    archive = tmp_path / "tierdesk.zip"
    backup_instance(archive)
    services.ticket_reply(ticket=history.ticket, viewer=history.viewer(history.agent.user),
                          body="written after the backup")
    before = table_hashes("default")
    with pytest.raises(BackupError, match="not empty"):
        restore_instance(archive)
    assert table_hashes("default") == before


def test_restore_with_replace_brings_back_exactly_the_backed_up_state(history, tmp_path):
    archive = tmp_path / "tierdesk.zip"
    backup_instance(archive)
    at_backup = table_hashes("default")
    services.ticket_reply(ticket=history.ticket, viewer=history.viewer(history.agent.user),
                          body="written after the backup")
    restore_instance(archive, replace=True)
    assert table_hashes("default") == at_backup


def test_a_damaged_archive_is_refused_before_anything_is_written(history, tmp_path):
    archive = tmp_path / "tierdesk.zip"
    backup_instance(archive)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as src, zipfile.ZipFile(damaged, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "tables/tickets.ticket.jsonl":
                data = data.replace(b"SSO-9001", b"SSO-9002")
            dst.writestr(item, data)
    target = empty_sqlite(tmp_path, "damaged.sqlite3")
    try:
        with pytest.raises(BackupError, match="tickets.ticket.jsonl does not match"):
            restore_instance(damaged, using=target)
        assert Ticket.objects.using(target).count() == 0
    finally:
        connections[target].close()


def test_the_manifest_records_row_counts_and_file_hashes(history, tmp_path):
    archive = tmp_path / "tierdesk.zip"
    backup_instance(archive)
    with zipfile.ZipFile(archive) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert manifest["format"] == "tierdesk-backup/1"
    (name, info), = manifest["files"].items()
    assert name.startswith("attachments/") and info["size"] == 750
    assert len(info["sha256"]) == 64
    assert manifest["tables"]["customers.organisation"]["rows"] == 2


def test_the_cli_backs_up_and_refuses_to_restore_over_data(history, tmp_path, capsys):
    archive = tmp_path / "cli.zip"
    assert main(["backup", str(archive)]) == 0
    assert "files to" in capsys.readouterr().out
    assert main(["restore", str(archive)]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "nothing changed" in err
