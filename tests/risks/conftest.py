from tests.org.conftest import csu  # noqa: F401 (CSU's staffed chart)
