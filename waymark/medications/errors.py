"""The medications app's one domain error."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class MedicationError(Exception):
    """An input or action that cannot be accepted, with the fields it is about.

    `status` is what the API answers: 403 not allowed, 422 an input that is not
    acceptable (every field with a problem is named in `errors`).
    """

    def __init__(
        self,
        message: str = "",
        *,
        field: str = "__all__",
        errors: dict[str, list[str]] | None = None,
        status: int = 422,
        code: str = "invalid",
    ) -> None:
        self.errors = errors or {field: [message]}
        self.message = message or " ".join(m for ms in self.errors.values() for m in ms)
        super().__init__(self.message)
        self.status = status
        self.code = code

    @classmethod
    def from_validation_error(cls, error: ValidationError) -> MedicationError:
        return cls(errors={field: list(msgs) for field, msgs in error.message_dict.items()})

    def as_detail(self) -> dict[str, object]:
        return {"detail": self.errors, "code": self.code}
