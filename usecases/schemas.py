"""The shapes the API reads and writes for use cases, sign-offs, actors and the glossary."""

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from participation.text import OneLine

from .models import GoalLevel, SignOff

GoalLevelName = Literal[tuple(GoalLevel.values)]  # type: ignore[valid-type]
VerdictName = Literal[tuple(SignOff.Verdict.values)]  # type: ignore[valid-type]


class StepIn(Schema):
    id: str | None = Field(None, description="Keep the id of an existing step; omit for a new one.")
    actor: OneLine = ""
    text: OneLine


class StepOut(Schema):
    id: str
    label: str = Field(description='"3" for a main step, "3a1" for a step of extension 3a.')
    actor: str
    text: str


class ExtensionIn(Schema):
    id: str | None = None
    at: str = Field(description="The id of the main step the extension branches from.")
    condition: OneLine
    steps: list[StepIn] = []


class ExtensionOut(Schema):
    id: str
    label: str
    at: str
    condition: str
    steps: list[StepOut]


class VariantOut(Schema):
    id: str
    organisation: str = Field(description="The organisation's name.")
    target: str = Field(description="The id of the step or extension it is a variant of.")
    target_label: str
    text: str


class UseCaseFieldsIn(Schema):
    title: OneLine
    goal_level: GoalLevelName = GoalLevel.USER_GOAL  # type: ignore[assignment]
    primary_actor: OneLine = ""
    supporting_actors: list[OneLine] = []
    scope: str = ""
    stakeholders: str = ""
    trigger: str = ""
    preconditions: str = ""
    success_guarantees: str = ""
    minimal_guarantees: str = ""
    frequency: str = ""
    open_issues: str = ""
    steps: list[StepIn] = []
    extensions: list[ExtensionIn] = []


class UseCaseCreateIn(UseCaseFieldsIn):
    parent: str = Field(description="The slug of the work process it belongs below.")
    summary: OneLine = ""


class UseCaseUpdateIn(UseCaseFieldsIn):
    base_version_id: int | None = Field(description="The head_version_id you edited.")
    summary: OneLine = ""


class WarningOut(Schema):
    code: str
    message: str


class SignOffOut(Schema):
    organisation: str
    verdict: VerdictName  # type: ignore[valid-type]
    remarks: str
    version_id: int
    signed_at: datetime
    stale: bool = Field(description="Given on an older version than the current one.")
    diff_url: str = Field(description="The diff since the signed version, when stale.")


class SignOffIn(Schema):
    verdict: VerdictName  # type: ignore[valid-type]
    remarks: str = ""


class UseCaseSummaryOut(Schema):
    slug: str
    title: str
    parent: str | None
    goal_level: str
    head_version_id: int | None
    steps: int
    extensions: int
    variants: int
    warnings: int


class UseCaseOut(Schema):
    slug: str
    title: str
    parent: str | None
    head_version_id: int | None
    goal_level: str
    primary_actor: str
    supporting_actors: list[str]
    scope: str
    stakeholders: str
    trigger: str
    preconditions: str
    success_guarantees: str
    minimal_guarantees: str
    frequency: str
    open_issues: str
    steps: list[StepOut]
    extensions: list[ExtensionOut]
    variants: list[VariantOut]
    warnings: list[WarningOut]
    signoffs: list[SignOffOut]
    markdown: str


class UseCaseSaveOut(Schema):
    use_case: UseCaseOut
    version_id: int | None
    merged: bool
    unchanged: bool


class UseCaseConflictOut(Schema):
    """Others changed the same fields since your base version; nothing was saved. `fields`
    names them; send your edit again with `current_version_id` as base to keep yours."""

    detail: str
    fields: list[str]
    current_version_id: int | None
    submitted: UseCaseFieldsIn


class VariantIn(Schema):
    target: str
    text: str = Field("", description="Empty removes your organisation's variant.")
    base_version_id: int | None = Field(None, description="Omit to use the current version.")


class FieldChangeOut(Schema):
    field: str
    old: str | list[str]
    new: str | list[str]


class ItemChangeOut(Schema):
    kind: str = Field(description='"added", "removed", "changed", "moved" or "moved+changed".')
    old_label: str
    new_label: str
    old: dict | None
    new: dict | None
    steps: list["ItemChangeOut"] = []


class UseCaseDiffOut(Schema):
    from_version_id: int | None
    to_version_id: int
    fields: list[FieldChangeOut]
    steps: list[ItemChangeOut]
    extensions: list[ItemChangeOut]
    variants: list[ItemChangeOut]


class ActorOut(Schema):
    slug: str
    name: str
    description: str
    use_cases: list[str]


class LocalWordOut(Schema):
    organisation: str
    word: str


class TermOut(Schema):
    slug: str
    term: str
    definition: str
    local_words: list[LocalWordOut]


class TermIn(Schema):
    term: OneLine
    definition: str
