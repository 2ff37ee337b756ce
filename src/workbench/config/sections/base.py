"""The base of every parameter section: unknown keys are refused, values are frozen."""

from pydantic import BaseModel, ConfigDict


class Section(BaseModel):
    """A block of the parameter file. Every key has a default that suits a B2B client."""

    model_config = ConfigDict(extra="forbid", frozen=True)
