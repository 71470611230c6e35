"""`tierdesk worker` and `tierdesk beat` need a broker and say which setting to give; beat
keeps its schedule in the data folder. (They run for real in tests/scaleout.)"""

import pytest

from tierdesk.cli import main


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_without_a_broker_worker_and_beat_name_the_setting_to_give(command, settings, capsys):
    settings.BROKER_URL = ""

    assert main([command]) == 2

    assert "set TIERDESK_BROKER_URL" in capsys.readouterr().err


def test_beat_keeps_its_schedule_in_the_data_folder_not_the_working_directory(settings,
                                                                             tmp_path):
    from tierdesk.cli.serve import _beat_schedule_file

    settings.DATA_DIR = tmp_path / "data"

    assert _beat_schedule_file() == str(tmp_path / "data" / "celerybeat-schedule")
