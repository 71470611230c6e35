"""Base schemas: every API input refuses fields it does not know."""

from typing import Annotated

from ninja import Schema
from pydantic import ConfigDict, Field


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


# A row id as the databases store it (64-bit): larger numbers are refused with a 422
# instead of overflowing inside the database driver.
DbId = Annotated[int, Field(ge=1, le=2**63 - 1)]
