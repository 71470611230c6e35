"""Base schemas: every API input refuses fields it does not know."""

from ninja import Schema
from pydantic import ConfigDict


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
