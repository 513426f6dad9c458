"""The check-ins app's one domain error."""

from __future__ import annotations


class CheckinError(Exception):
    """A submission that cannot be accepted, with the field it is about.

    `status` is what the API answers: 422 for an answer that is not acceptable,
    409 when the answer conflicts with what is already stored (a reused key, a day
    that can no longer be changed, a withdrawal log outside detox).
    """

    def __init__(
        self, message: str, *, field: str = "__all__", status: int = 422, code: str = "invalid"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.code = code

    def as_detail(self) -> dict[str, object]:
        return {"detail": {self.field: [self.message]}, "code": self.code}
