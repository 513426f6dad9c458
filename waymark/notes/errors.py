"""The notes app's one domain error."""

from __future__ import annotations


class NoteError(Exception):
    """A note action that cannot be done, with the field it is about.

    `status` is what a page or the API answers: 403 when the person may not do it
    (signing or editing someone else's draft), 409 when the note's state forbids it
    (changing a signed note), 422 for an input that is not acceptable.
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
