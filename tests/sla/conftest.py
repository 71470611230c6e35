import pytest

from tierdesk.packs.services import pack_apply
from tierdesk.policy import PACKS_DIR


@pytest.fixture
def apply_pack(db):
    def apply(name: str):
        return pack_apply(source=(PACKS_DIR / f"{name}.yaml").read_text()).version

    return apply
